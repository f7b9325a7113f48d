import Illustration
import Testing

/// The image-channel harness's query expansion / DBA (NeighbourhoodExpansion): it must expand as described,
/// and must never let a query see its own source tile, not even through a neighbour folded into another vector.
@Suite struct HistologyHarnessExpansionTests {
    static func unit(_ v: [Float]) -> [Float] { NeighbourhoodExpansion.normalised(v) }

    @Test func queryExpansionRecoversANeighbourTheRawQueryRanksBelowADecoy() {
        // q is nearest to a; b shares a's second direction, the decoy d shares nothing with a.
        let a = Self.unit([1, 0.9, 0]), b = Self.unit([0.5, 1, 0]), d = Self.unit([1, 0, 1.2])
        let atlas = [[1, 0, 0], a, b, d]   // row 0 is the query's own source: never a hit
        let sources = [0, 1, 2, 3]
        let raw = NeighbourhoodExpansion().rankings(sources: sources, atlas: atlas, queries: [[atlas[0]]], k: 3)[0][0]
        let expanded = NeighbourhoodExpansion(qeM: 1).rankings(sources: sources, atlas: atlas, queries: [[atlas[0]]], k: 3)[0][0]
        #expect(raw == [1, 3, 2])
        #expect(expanded == [1, 2, 3])
    }

    @Test(arguments: [NeighbourhoodExpansion(qeM: 2, qeAlpha: 3), NeighbourhoodExpansion(dbaM: 2), NeighbourhoodExpansion(qeM: 3, dbaM: 1, dbaAlpha: 1)])
    func aQuerysRankingDoesNotDependOnItsOwnSourcesVectors(expansion: NeighbourhoodExpansion) {
        // Clustered vectors, three crops per source; then source 0's vectors are replaced by others.
        var rng = SplitMix64(seed: 7)
        let centres = (0..<4).map { _ in (0..<16).map { _ in Float.random(in: 0...1, using: &rng) } }
        let sources = (0..<36).map { $0 / 3 }
        let atlas = sources.map { s in Self.unit(centres[s % 4].map { $0 + Float.random(in: 0...0.3, using: &rng) }) }
        var changed = atlas
        for j in 0..<3 { changed[j] = Self.unit((0..<16).map { _ in Float.random(in: 0...1, using: &rng) }) }
        // Query 0 (source 0) is the same vector in both runs; only its own source's atlas rows differ.
        let before = expansion.rankings(sources: sources, atlas: atlas, queries: [atlas], k: 5)[0][0]
        let after = expansion.rankings(sources: sources, atlas: changed, queries: [atlas], k: 5)[0][0]
        #expect(before == after)
        #expect(before.allSatisfy { sources[$0] != 0 })
    }
}
