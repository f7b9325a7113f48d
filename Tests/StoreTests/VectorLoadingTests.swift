import AtlasCore
import Foundation
import GRDB
import LinearAlgebra
@testable import Store
import Testing

/// Loading the vector tables from the index file (one pass: BLOBs copied and quantised, owners read in
/// place), checked against the tables a store builds by appending its own writes in memory.
@Suite("Loading vector tables")
struct VectorLoadingTests {
    static let kinds: [(VectorTableKey, Int)] = [
        (VectorTableKey(encoder: textEncoder.id, kind: .passage), textEncoder.dimension),
        (VectorTableKey(encoder: imageEncoder.id, kind: .image), imageEncoder.dimension),
        (VectorTableKey(encoder: imageEncoder.id, kind: .tile), imageEncoder.dimension),
    ]

    func table(_ store: AtlasStore, _ key: VectorTableKey, _ dimension: Int) throws -> VectorTable {
        try store.vectors.table(key, dimension: dimension, pool: store.pool)
    }

    /// Changes the file behind the store's back (no generation bump), as damage on disk would.
    func corruptFirstPassageVector(ofEntry entry: String, _ store: AtlasStore) throws {
        try store.pool.write { db in
            // The CHECK wants length = 4 · dim: a 4-d vector in an 8-d encoder's table passes it.
            try db.execute(sql: """
                UPDATE vectors SET dim = 4, vector = zeroblob(16)
                WHERE rowid = (SELECT min(rowid) FROM vectors WHERE entry_id = ? AND owner_kind = 'passage')
                """, arguments: [entry])
        }
    }

    @Test("a table loaded from the file equals the one the writing store built by appends, tombstones and all")
    func loadedEqualsAppended() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let writer = try openRegistered(index)
        try writer.loadVectorIndex() // empty tables: every write below is appended in memory
        var rng = SeededGenerator(seed: 31)
        for e in 0..<25 {
            try writer.write(makeRecord(id: "entry-with-a-long-id-\(e)", texts: (0..<(1 + e % 4)).map { "p\($0)" },
                                        imageFiles: e % 3 == 0 ? ["a.png", "b.png"] : [], rng: &rng))
        }
        for e in [3, 9, 12] { // rewrites (tombstone + append) and a removal
            try writer.write(makeRecord(id: "entry-with-a-long-id-\(e)", texts: ["new"], imageFiles: ["c.png"], hash: "2", rng: &rng))
        }
        try writer.removeEntry(id: "entry-with-a-long-id-6")

        let reader = try index.open(readOnly: true)
        try reader.loadVectorIndex()
        for (key, dimension) in Self.kinds {
            let appended = try table(writer, key, dimension)
            let loaded = try table(reader, key, dimension)
            let live = (0..<appended.matrix.rows).filter { !appended.deadRows.contains($0) }
            #expect(!live.isEmpty && loaded.deadRows.isEmpty)
            #expect(loaded.matrix == appended.matrix.selecting(rows: live), "\(key.kind)")
            #expect(loaded.owners == live.map { appended.owners[$0] }, "\(key.kind)")
            #expect(loaded.entryOfRow == live.map { appended.entryOfRow[$0] }, "\(key.kind)")
            let quantized = appended.quantized.selecting(rows: live)
            #expect(loaded.quantized.codes == quantized.codes && loaded.quantized.scales == quantized.scales, "\(key.kind)")
        }
        // And both answer alike, through the int8 pass with few candidates (a wrong int8 row would show).
        for store in [writer, reader] { store.setVectorSearch(VectorSearchPolicy(mode: .int8, candidates: 3)) }
        for _ in 0..<20 {
            let text = randomVector(textEncoder.dimension, using: &rng)
            #expect(try reader.nearestPassages(to: text, encoder: textEncoder.id, k: 5)
                    == writer.nearestPassages(to: text, encoder: textEncoder.id, k: 5))
            let image = randomVector(imageEncoder.dimension, using: &rng)
            #expect(try reader.nearestImages(to: image, encoder: imageEncoder.id, k: 4)
                    == writer.nearestImages(to: image, encoder: imageEncoder.id, k: 4))
        }
    }

    @Test("a vector BLOB of the wrong size fails the load with an error naming its entry")
    func corruptBlob() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 32)
        for e in 0..<5 { try store.write(makeRecord(id: "e\(e)", texts: ["a", "b"], rng: &rng)) }
        try corruptFirstPassageVector(ofEntry: "e3", store)
        let fresh = try index.open(readOnly: true)
        let error = #expect(throws: AtlasError.self) {
            try fresh.nearestPassages(to: randomVector(textEncoder.dimension, using: &rng), encoder: textEncoder.id, k: 3)
        }
        #expect(error?.code == .storage)
        #expect(error?.message.contains("entry 'e3' has 16 bytes, expected 8 float32 values (32 bytes)") == true)
    }

    @Test("vectors whose owner row is gone are skipped; every other vector loads")
    func orphanVectors() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 33)
        var vectors: [String: [Float]] = [:]
        for e in 0..<6 {
            let record = makeRecord(id: "e\(e)", texts: ["a", "b", "c"], rng: &rng)
            try store.write(record)
            for (passage, vector) in zip(record.entry.passages, record.passageVectors[textEncoder.id]!) { vectors[passage.id] = vector }
        }
        // vectors.owner_id is no foreign key: a passage row deleted on its own leaves its vector behind.
        try store.pool.write { db in try db.execute(sql: "DELETE FROM passages WHERE id IN ('e1#2', 'e4#1')") }
        let fresh = try index.open(readOnly: true)
        let loaded = try table(fresh, VectorTableKey(encoder: textEncoder.id, kind: .passage), textEncoder.dimension)
        #expect(loaded.matrix.rows == 16 && loaded.quantized.rows == 16 && loaded.owners.count == 16)
        for (id, vector) in vectors.sorted(by: { $0.key < $1.key }) {
            let hit = try fresh.nearestPassages(to: vector, encoder: textEncoder.id, k: 1).first
            if id == "e1#2" || id == "e4#1" {
                #expect(hit?.passageID != id)
            } else {
                #expect(hit?.passageID == id)
                #expect(abs((hit?.score ?? 0) - 1) < 1e-5)
            }
        }
    }

    @Test("a write into a loaded index is appended in memory, not reloaded from the file")
    func writeAppendsWithoutReload() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 34)
        for e in 0..<5 { try store.write(makeRecord(id: "e\(e)", texts: ["a", "b"], rng: &rng)) }
        try store.loadVectorIndex()
        // Damage the file unnoticed: any full reload from now on fails.
        try corruptFirstPassageVector(ofEntry: "e2", store)
        let added = makeRecord(id: "added", texts: ["x", "y", "z"], rng: &rng)
        try store.write(added)
        for (passage, vector) in zip(added.entry.passages, added.passageVectors[textEncoder.id]!) {
            #expect(try store.nearestPassages(to: vector, encoder: textEncoder.id, k: 1).first?.passageID == passage.id)
        }
        // The same file, loaded afresh, does fail: the searches above ran on the appended tables.
        let fresh = try index.open(readOnly: true)
        #expect(throws: AtlasError.self) {
            try fresh.nearestPassages(to: randomVector(textEncoder.dimension, using: &rng), encoder: textEncoder.id, k: 1)
        }
    }
}
