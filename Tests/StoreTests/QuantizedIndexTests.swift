import AtlasCore
import Foundation
import LinearAlgebra
@testable import Store
import Testing

/// Unit vectors shaped like real embeddings: a shared mean direction, `count / 100` cluster centres around
/// it, each vector its centre plus noise of varying spread (the same recipe as Scripts/peers/vectors.py).
struct ClusteredVectors {
    let centres: Matrix
    let dimension: Int

    init(centres count: Int, dimension: Int, rng: inout SeededGenerator) {
        self.dimension = dimension
        let mean = Self.noise(dimension, &rng).l2Normalized()
        var centres = Matrix(rows: 0, columns: dimension)
        for _ in 0..<count {
            let noise = Self.noise(dimension, &rng)
            centres.append(row: (0..<dimension).map { 0.5 * mean[$0] + noise[$0] / Float(dimension).squareRoot() }.l2Normalized())
        }
        self.centres = centres
    }

    func sample(_ count: Int, _ rng: inout SeededGenerator) -> Matrix {
        var rows = Matrix(rows: 0, columns: dimension)
        for _ in 0..<count {
            let centre = centres.row(Int.random(in: 0..<centres.rows, using: &rng))
            let spread = Float.random(in: 0.4...1.0, using: &rng) / Float(dimension).squareRoot()
            let noise = Self.noise(dimension, &rng)
            rows.append(row: (0..<dimension).map { centre[$0] + spread * noise[$0] }.l2Normalized())
        }
        return rows
    }

    /// Unit-variance noise (uniform on ±√3: cheaper than Gaussian, same spread).
    static func noise(_ dimension: Int, _ rng: inout SeededGenerator) -> [Float] {
        (0..<dimension).map { _ in Float.random(in: -1.732...1.732, using: &rng) }
    }
}

/// Share of the exact top-k that int8+rescore also returns, over all queries.
func recallAtK(_ matrix: Matrix, queries: Matrix, k: Int, candidates: Int) -> Double {
    let quantized = QuantizedMatrix(quantizing: matrix)
    var found = 0
    for q in 0..<queries.rows {
        let query = queries.row(q)
        let truth = Set(matrix.nearestRows(to: query, k: k).map(\.index))
        let got = matrix.nearestRows(to: query, k: k, rescoring: quantized, candidates: candidates, threads: 2)
        found += got.filter { truth.contains($0.index) }.count
    }
    return Double(found) / Double(k * queries.rows)
}

@Suite("Quantised vector index")
struct QuantizedIndexTests {
    @Test("int8+rescore at the default candidate count keeps recall@10 ≥ 0.99 on random unit vectors")
    func recallOnRandomData() {
        var rng = SeededGenerator(seed: 71)
        var matrix = Matrix(rows: 30_000, columns: 384) { buffer in
            for i in buffer.indices { buffer[i] = Float.random(in: -1...1, using: &rng) }
        }
        matrix.normalizeRows()
        var queries = Matrix(rows: 40, columns: 384) { buffer in
            for i in buffer.indices { buffer[i] = Float.random(in: -1...1, using: &rng) }
        }
        queries.normalizeRows()
        let recall = recallAtK(matrix, queries: queries, k: 10, candidates: VectorSearchPolicy.defaultCandidates)
        print("recall@10, random 30000 × 384, C = \(VectorSearchPolicy.defaultCandidates): \(recall)")
        #expect(recall >= 0.99)
    }

    @Test("int8+rescore at the default candidate count keeps recall@10 ≥ 0.99 on clustered vectors",
          arguments: [384, 512])
    func recallOnClusteredData(dimension: Int) {
        var rng = SeededGenerator(seed: UInt64(dimension))
        let data = ClusteredVectors(centres: 200, dimension: dimension, rng: &rng)
        let matrix = data.sample(20_000, &rng)
        let queries = data.sample(40, &rng)
        let recall = recallAtK(matrix, queries: queries, k: 10, candidates: VectorSearchPolicy.defaultCandidates)
        print("recall@10, clustered 20000 × \(dimension), C = \(VectorSearchPolicy.defaultCandidates): \(recall)")
        #expect(recall >= 0.99)
        // Too few candidates does lose neighbours on clustered data: the count is what buys the recall.
        #expect(recallAtK(matrix, queries: queries, k: 10, candidates: 10) < recall)
    }

    @Test("appends, rewrites and removals keep the int8 copy equal to the float rows it stands for")
    func appendsKeepTablesConsistent() throws {
        let encoder = EncoderRecord(id: "quantised-64", modality: .text, dimension: 64, weightsHash: "cccc")
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try index.open()
        try store.register(encoders: [encoder])
        // int8 from the first row on, with fewer candidates than rows, so a stale int8 copy loses hits.
        store.setVectorSearch(VectorSearchPolicy(mode: .int8, candidates: 12))
        var rng = SeededGenerator(seed: 9)
        var live: [String: [Float]] = [:]
        func write(_ id: String, passages: Int) throws {
            let vectors = (0..<passages).map { _ in randomVector(64, using: &rng) }
            let entry = Entry(id: id, title: id, source: "test", passages: (0..<passages).map {
                Passage(entryID: id, ordinal: $0 + 1, heading: nil, text: "passage \($0) of \(id)")
            })
            try store.write(IngestRecord(entry: entry, contentHash: "h", images: [], passageVectors: [encoder.id: vectors]))
            live = live.filter { !$0.key.hasPrefix(id + "#") }
            for (p, v) in zip(entry.passages, vectors) { live[p.id] = v }
        }
        func expectConsistent() throws {
            let table = try store.vectors.table(VectorTableKey(encoder: encoder.id, kind: .passage), dimension: 64, pool: store.pool)
            let fresh = QuantizedMatrix(quantizing: table.matrix)
            #expect(table.quantized.rows == table.matrix.rows)
            #expect(table.quantized.codes == fresh.codes && table.quantized.scales == fresh.scales)
            #expect(table.liveCount == live.count)
            // Every live passage is found by its own vector, through the int8 pass.
            for (id, vector) in live.sorted(by: { $0.key < $1.key }).prefix(40) {
                let hit = try store.nearestPassages(to: vector, encoder: encoder.id, k: 1).first
                #expect(hit?.passageID == id)
                #expect(abs((hit?.score ?? 0) - 1) < 1e-5)
            }
        }

        for e in 0..<60 { try write("e\(e)", passages: 5) }
        try expectConsistent() // loads the tables
        for e in 60..<80 { try write("e\(e)", passages: 4) } // appended in memory
        try expectConsistent()
        // Rewriting 60 entries tombstones 300 rows, past the compaction threshold.
        for e in 0..<60 { try write("e\(e)", passages: 3) }
        try store.removeEntry(id: "e70")
        live = live.filter { !$0.key.hasPrefix("e70#") }
        try expectConsistent()
        let table = try store.vectors.table(VectorTableKey(encoder: encoder.id, kind: .passage), dimension: 64, pool: store.pool)
        #expect(table.matrix.rows < 60 * 5 + 20 * 4 + 60 * 3) // compacted
    }

    @Test("exact and int8 modes agree when every row is a candidate, and the environment picks the mode")
    func modesAgree() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 12)
        for e in 0..<30 { try store.write(makeRecord(id: "e\(e)", texts: ["a", "b", "c"], rng: &rng)) }
        let query = randomVector(textEncoder.dimension, using: &rng)
        store.setVectorSearch(VectorSearchPolicy(mode: .exact))
        let exact = try store.nearestPassages(to: query, encoder: textEncoder.id, k: 8)
        store.setVectorSearch(VectorSearchPolicy(mode: .int8, candidates: 1000))
        let rescored = try store.nearestPassages(to: query, encoder: textEncoder.id, k: 8)
        #expect(rescored.map(\.passageID) == exact.map(\.passageID))
        #expect(zip(rescored, exact).allSatisfy { abs($0.score - $1.score) < 1e-5 })

        let policy = VectorSearchPolicy.from(environment: [
            "ATLASQA_VECTOR_SEARCH": "exact", "ATLASQA_RESCORE_CANDIDATES": "250", "ATLASQA_INT8_MIN_ROWS": "5",
            "ATLASQA_SEARCH_THREADS": "2",
        ])
        #expect(policy == VectorSearchPolicy(mode: .exact, candidates: 250, int8MinimumRows: 5, threads: 2))
        #expect(!policy.usesInt8(rows: 1_000_000))
        #expect(VectorSearchPolicy.from(environment: ["ATLASQA_VECTOR_SEARCH": "bogus"]) == VectorSearchPolicy())
        #expect(VectorSearchPolicy().usesInt8(rows: VectorSearchPolicy.defaultInt8MinimumRows))
        #expect(!VectorSearchPolicy().usesInt8(rows: VectorSearchPolicy.defaultInt8MinimumRows - 1))
    }
}
