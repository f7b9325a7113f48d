import Foundation

/// Dev-harness experiment (issue 2, retrieval side): query expansion over the atlas's own neighbourhood.
///
/// - αQE (Chum 2007; Radenović et al. 2018): search with q, take the top `qeM` allowed hits n_i, search again
///   with q + Σ w_i·n_i, w_i = max(cos(q, n_i), 0)^α. (The new query's norm does not change the ranking.)
/// - DBA: every atlas vector v is replaced by normalise(v + Σ w_k·v_k) over its top `dbaM` atlas neighbours,
///   w_k = max(cos(v, v_k), 0)^α. In a product this runs at index time; here it runs on the harness's matrix.
///
/// Both respect the harness's exclusion: a query never sees its own source tile's crops, neither directly,
/// nor as a QE neighbour, nor folded into an atlas vector by DBA (so an atlas vector is augmented per query
/// source). An atlas vector's own source's crops are never its DBA neighbours either: they are near-copies
/// that the hidden set (one vector per tile) would not have.
struct NeighbourhoodExpansion: CustomStringConvertible {
    var qeM = 0, qeAlpha: Float = 0
    var dbaM = 0, dbaAlpha: Float = 0

    var description: String {
        let qe = qeM == 0 ? "QE off" : "QE m=\(qeM) α=\(Int(qeAlpha))"
        let dba = dbaM == 0 ? "DBA off" : "DBA m=\(dbaM) α=\(Int(dbaAlpha))"
        return "\(qe), \(dba)"
    }

    /// ATLASQA_QE="m=1/2/3/5,alpha=0/1/3" and ATLASQA_DBA="m=1/2,alpha=0/1": each "/" list is a grid axis;
    /// several grids may be separated by ";". Every QE setting is crossed with every DBA setting, and the
    /// no-expansion baseline is always included (first).
    static func grid(qe: String?, dba: String?) -> [NeighbourhoodExpansion] {
        let qes = settings(qe), dbas = settings(dba)
        var out = [NeighbourhoodExpansion()]
        for d in dbas {
            for q in qes {
                let e = NeighbourhoodExpansion(qeM: q.m, qeAlpha: q.alpha, dbaM: d.m, dbaAlpha: d.alpha)
                if !out.contains(where: { $0.description == e.description }) { out.append(e) }
            }
        }
        return out
    }

    private static func settings(_ text: String?) -> [(m: Int, alpha: Float)] {
        guard let text, !text.isEmpty else { return [(0, 0)] }
        var out: [(m: Int, alpha: Float)] = []
        for grid in text.split(separator: ";") {
            var ms = [0], alphas: [Float] = [0]
            for pair in grid.split(separator: ",") {
                let kv = pair.split(separator: "=")
                guard kv.count == 2 else { continue }
                let values = kv[1].split(separator: "/")
                switch kv[0] {
                case "m": ms = values.compactMap { Int($0) }
                case "alpha": alphas = values.compactMap { Float($0) }
                default: break
                }
            }
            for m in ms { for a in alphas { out.append((m, m == 0 ? 0 : a)) } }
        }
        return out
    }

    /// For every variant and query: the indices of its top `k` allowed atlas vectors, best first.
    /// `sources[j]` is the source tile of atlas vector j (and of query j: the queries are the atlas's crops).
    func rankings(sources: [Int], atlas: [[Float]], queries: [[[Float]]], k: Int) -> [[[Int]]] {
        let n = atlas.count
        // Per atlas vector: the other atlas vectors by cosine, best first, its own source's crops left out.
        var neighbours: [[(index: Int, cosine: Float)]] = []
        if dbaM > 0 {
            neighbours = (0..<n).map { j in
                (0..<n).filter { sources[$0] != sources[j] }.map { (index: $0, cosine: Self.dot(atlas[j], atlas[$0])) }
                    .sorted { $0.cosine > $1.cosine }
            }
        }
        // The atlas as a query from `source` sees it: DBA neighbours from that source left out.
        var augmented: [Int: [[Float]]] = [:]
        func atlasSeen(from source: Int) -> [[Float]] {
            guard dbaM > 0 else { return atlas }
            if let known = augmented[source] { return known }
            let out = (0..<n).map { j -> [Float] in
                var v = atlas[j]
                for nb in neighbours[j].lazy.filter({ sources[$0.index] != source }).prefix(dbaM) {
                    Self.add(&v, atlas[nb.index], weight: Self.weight(nb.cosine, dbaAlpha))
                }
                return Self.normalised(v)
            }
            augmented[source] = out
            return out
        }
        return queries.map { variant in
            variant.indices.map { i -> [Int] in
                let seen = atlasSeen(from: sources[i])
                let allowed = (0..<n).filter { sources[$0] != sources[i] }
                var ranked = Self.ranked(variant[i], seen, allowed)
                if qeM > 0 {
                    var q = variant[i]
                    for hit in ranked.prefix(qeM) { Self.add(&q, seen[hit.index], weight: Self.weight(hit.score, qeAlpha)) }
                    ranked = Self.ranked(q, seen, allowed)
                }
                return ranked.prefix(k).map(\.index)
            }
        }
    }

    static func weight(_ cosine: Float, _ alpha: Float) -> Float {
        alpha == 0 ? 1 : Float(pow(Double(max(cosine, 0)), Double(alpha)))
    }

    static func ranked(_ q: [Float], _ atlas: [[Float]], _ allowed: [Int]) -> [(index: Int, score: Float)] {
        allowed.map { (index: $0, score: dot(q, atlas[$0])) }.sorted { $0.score > $1.score }
    }

    static func add(_ v: inout [Float], _ x: [Float], weight: Float) {
        v.withUnsafeMutableBufferPointer { a in
            x.withUnsafeBufferPointer { b in
                for i in 0..<min(a.count, b.count) { a[i] += weight * b[i] }
            }
        }
    }

    static func normalised(_ v: [Float]) -> [Float] {
        let norm = dot(v, v).squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    /// The harness's dot product (one definition for both).
    static func dot(_ a: [Float], _ b: [Float]) -> Float { HistologyKatherEvalTests.dot(a, b) }
}
