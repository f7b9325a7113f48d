import AtlasCore
import Foundation
import Store
import Testing

/// Exact cosine search, the slow obvious way: the reference the index must match.
func bruteForce(_ query: [Float], _ candidates: [(id: String, vector: [Float])], k: Int) -> [(id: String, score: Float)] {
    func norm(_ v: [Float]) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    let scored = candidates.enumerated().map { i, candidate in
        let dot = zip(query, candidate.vector).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        return (i: i, id: candidate.id, score: dot / (norm(query) * norm(candidate.vector)))
    }
    return scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.i < $1.i }.prefix(k).map { ($0.id, $0.score) }
}

@Suite("Vector search")
struct VectorSearchTests {
    /// Every passage vector currently in the store, in write order, as the brute-force reference sees it.
    final class Mirror {
        var passages: [(id: String, vector: [Float])] = []
        func replace(_ record: IngestRecord) {
            passages.removeAll { $0.id.hasPrefix(record.entry.id + "#") }
            for (passage, vector) in zip(record.entry.passages, record.passageVectors[textEncoder.id]!) {
                passages.append((passage.id, vector))
            }
        }
        func remove(_ id: String) { passages.removeAll { $0.id.hasPrefix(id + "#") } }
    }

    func expectMatchesBruteForce(_ store: AtlasStore, _ mirror: Mirror, rng: inout SeededGenerator, k: Int = 7) throws {
        for _ in 0..<10 {
            let query = randomVector(textEncoder.dimension, using: &rng)
            let hits = try store.nearestPassages(to: query, encoder: textEncoder.id, k: k)
            let expected = bruteForce(query, mirror.passages, k: k)
            #expect(hits.map(\.passageID) == expected.map(\.id))
            for (hit, reference) in zip(hits, expected) {
                #expect(abs(hit.score - reference.score) < 1e-5)
            }
        }
    }

    @Test("passage search equals brute force, before and after appends, rewrites and removals")
    func passagesEqualBruteForce() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 20)
        let mirror = Mirror()
        for e in 0..<40 {
            let record = makeRecord(id: "e\(e)", texts: (0..<5).map { "passage \($0)" }, rng: &rng)
            try store.write(record)
            mirror.replace(record)
        }
        try expectMatchesBruteForce(store, mirror, rng: &rng)

        // The index is loaded now; these must update it in place.
        for e in 40..<50 {
            let record = makeRecord(id: "e\(e)", texts: ["new a", "new b"], rng: &rng)
            try store.write(record)
            mirror.replace(record)
        }
        try expectMatchesBruteForce(store, mirror, rng: &rng)
        for e in [3, 17, 45] {
            let record = makeRecord(id: "e\(e)", texts: ["rewritten"], hash: "h2", rng: &rng)
            try store.write(record)
            mirror.replace(record)
        }
        try store.removeEntry(id: "e8")
        mirror.remove("e8")
        try expectMatchesBruteForce(store, mirror, rng: &rng)

        // A fresh store reading the same file from disk agrees.
        try expectMatchesBruteForce(try index.open(readOnly: true), mirror, rng: &rng)
        #expect(try store.nearestPassages(to: randomVector(8, using: &rng), encoder: textEncoder.id, k: 1000).count == mirror.passages.count)
    }

    @Test("a stored vector, scaled, finds its own passage first with cosine 1")
    func selfMatch() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 26)
        var records: [IngestRecord] = []
        for e in 0..<5 {
            let record = makeRecord(id: "s\(e)", texts: ["a", "b", "c"], rng: &rng)
            try store.write(record)
            records.append(record)
        }
        let stored = records[3].passageVectors[textEncoder.id]![1]
        let hit = try #require(try store.nearestPassages(to: stored.map { $0 * 42 }, encoder: textEncoder.id, k: 1).first)
        #expect(hit.passageID == "s3#2")
        #expect(abs(hit.score - 1) < 1e-5)
    }

    @Test("many rewrites with the index loaded (tombstones, then compaction) still equal brute force")
    func churn() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 21)
        let mirror = Mirror()
        for e in 0..<20 {
            let record = makeRecord(id: "e\(e)", texts: (0..<10).map { "p\($0)" }, rng: &rng)
            try store.write(record)
            mirror.replace(record)
        }
        try expectMatchesBruteForce(store, mirror, rng: &rng)
        for round in 0..<40 {
            let record = makeRecord(id: "e\(round % 20)", texts: (0..<10).map { "r\(round) p\($0)" }, hash: "r\(round)", rng: &rng)
            try store.write(record)
            mirror.replace(record)
        }
        try expectMatchesBruteForce(store, mirror, rng: &rng)
    }

    @Test("a search sees entries another process wrote after the index was loaded")
    func otherWriter() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let reader = try openRegistered(index)
        let writer = try index.open()
        var rng = SeededGenerator(seed: 22)
        let mirror = Mirror()
        let first = makeRecord(id: "first", texts: ["a", "b"], rng: &rng)
        try writer.write(first)
        mirror.replace(first)
        try expectMatchesBruteForce(reader, mirror, rng: &rng)
        let second = makeRecord(id: "second", texts: ["c", "d", "e"], rng: &rng)
        try writer.write(second)
        mirror.replace(second)
        try expectMatchesBruteForce(reader, mirror, rng: &rng)
    }

    @Test("image search ranks images by cosine and returns each image's nearest tile")
    func imagesAndTiles() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 23)
        var records: [IngestRecord] = []
        for e in 0..<6 {
            let record = makeRecord(id: "img\(e)", texts: ["t"], imageFiles: ["a.png", "b.png"], tilesPerImage: 4, rng: &rng)
            try store.write(record)
            records.append(record)
        }
        let images = records.flatMap { record in
            record.images.map { (id: "\(record.entry.id)/\($0.image.file)", embedding: $0.embeddings[imageEncoder.id]!) }
        }
        for _ in 0..<10 {
            let query = randomVector(imageEncoder.dimension, using: &rng)
            let hits = try store.nearestImages(to: query, encoder: imageEncoder.id, k: 5)
            let expected = bruteForce(query, images.map { ($0.id, $0.embedding.vector) }, k: 5)
            #expect(hits.map { "\($0.entryID)/\($0.file)" } == expected.map(\.id))
            for hit in hits {
                let embedding = images.first { $0.id == "\(hit.entryID)/\(hit.file)" }!.embedding
                let tiles = embedding.tiles.map { (id: "\($0.rect)", vector: $0.vector) }
                #expect(hit.bestTile.map { "\($0)" } == bruteForce(query, tiles, k: 1).first?.id)
            }
        }
        // Querying with one tile's own vector finds that tile.
        let target = records[2].images[1].embeddings[imageEncoder.id]!.tiles[3]
        let hits = try store.nearestImages(to: target.vector, encoder: imageEncoder.id, k: 12)
        #expect(hits.first { $0.entryID == "img2" && $0.file == "b.png" }?.bestTile == target.rect)
    }

    @Test("an encoder recorded with other dimensions or weights is refused; the same record is accepted again")
    func encoderMismatch() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        try store.register(encoders: [textEncoder])
        var otherDimension = textEncoder
        otherDimension.dimension = 16
        var otherWeights = textEncoder
        otherWeights.weightsHash = "cccc"
        for record in [otherDimension, otherWeights] {
            let error = #expect(throws: AtlasError.self) { try store.register(encoders: [record]) }
            #expect(error?.code == .encoder)
            #expect(error?.message.contains("test-text") == true)
        }
        #expect(try store.encoders() == [imageEncoder, textEncoder])
        // Also after reopening: the records live in the file.
        #expect(throws: AtlasError.self) { try index.open().register(encoders: [otherWeights]) }
    }

    @Test("vectors from unrecorded encoders or of the wrong size are refused, and bad queries are errors")
    func vectorChecks() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 24)
        var unregistered = makeRecord(id: "u", texts: ["x"], rng: &rng)
        unregistered.passageVectors = ["mystery-encoder": [randomVector(8, using: &rng)]]
        let error = #expect(throws: AtlasError.self) { try store.write(unregistered) }
        #expect(error?.code == .encoder)
        #expect(error?.message.contains("entry 'u'") == true && error?.message.contains("mystery-encoder") == true)
        var wrongCount = makeRecord(id: "w", texts: ["x", "y"], rng: &rng)
        wrongCount.passageVectors[textEncoder.id]!.removeLast()
        #expect(throws: AtlasError.self) { try store.write(wrongCount) }
        #expect(try store.counts().entries == 0)

        try store.write(makeRecord(id: "ok", texts: ["x"], rng: &rng))
        #expect(throws: AtlasError.self) { try store.nearestPassages(to: [1, 2, 3], encoder: textEncoder.id, k: 3) }
        #expect(throws: AtlasError.self) { try store.nearestPassages(to: randomVector(8, using: &rng), encoder: "nope", k: 3) }
        #expect(throws: AtlasError.self) { try store.nearestImages(to: randomVector(8, using: &rng), encoder: textEncoder.id, k: 3) }
        #expect(try store.nearestPassages(to: randomVector(8, using: &rng), encoder: textEncoder.id, k: 0).isEmpty)
        #expect(try store.nearestPassages(to: [Float](repeating: 0, count: 8), encoder: textEncoder.id, k: 3).isEmpty)
        #expect(try store.nearestPassages(to: randomVector(8, using: &rng), encoder: textEncoder.id, k: Int.max).count == 1)
        #expect(throws: AtlasError.self) {
            try store.nearestPassages(to: [.nan, 0, 0, 0, 0, 0, 0, 1], encoder: textEncoder.id, k: 3)
        }
    }

    @Test("concurrent searches and writes on one store stay consistent")
    func concurrency() async throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 25)
        for e in 0..<10 { try store.write(makeRecord(id: "e\(e)", texts: ["a", "b", "c"], rng: &rng)) }
        let records = (10..<30).map { makeRecord(id: "e\($0)", texts: ["a", "b", "c"], rng: &rng) }
        let queries = (0..<40).map { _ in randomVector(8, using: &rng) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for record in records { try store.write(record) } }
            for query in queries {
                group.addTask {
                    let hits = try store.nearestPassages(to: query, encoder: textEncoder.id, k: 5)
                    #expect(hits.count == 5)
                    #expect(Set(hits.map(\.passageID)).count == 5)
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.nearestPassages(to: queries[0], encoder: textEncoder.id, k: 1000).count == 90)
        #expect(try store.integrityProblems().isEmpty)
    }
}
