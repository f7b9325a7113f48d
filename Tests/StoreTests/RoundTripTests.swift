import AtlasCore
import Foundation
import Store
import Testing

@Suite("Writing and reading entries")
struct RoundTripTests {
    @Test("an entry reads back exactly as written, with its passages, images and bytes")
    func roundTrip() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 1)
        let record = makeRecord(
            id: "breast-dcis", texts: ["Ducts are expanded by monotonous cells.", "导管内见单一形态的细胞。"],
            imageFiles: ["a.png", "b.jpg"], rng: &rng
        )
        try store.write(record)

        let entry = try #require(try store.entry(id: "breast-dcis"))
        #expect(entry == record.entry)
        #expect(entry.passages.map(\.language) == [.en, .zh])
        #expect(try store.imageData(entry: "breast-dcis", file: "b.jpg") == record.images[1].data)
        #expect(try store.imageData(entry: "breast-dcis", file: "missing.png") == nil)
        #expect(try store.entry(id: "nope") == nil)
        #expect(try store.contentHash(ofEntry: "breast-dcis") == "hash-1")
        #expect(try store.contentHash(ofEntry: "nope") == nil)
        #expect(try store.entryIDs() == ["breast-dcis"])
        #expect(try store.counts() == AtlasCounts(entries: 1, passages: 2, images: 2, tiles: 6, vectors: 2 + 2 + 6))
    }

    @Test("passages come back by id in the order asked, and by entry then ordinal")
    func passageLookups() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 2)
        try store.write(makeRecord(id: "a", texts: ["one", "two", "three"], rng: &rng))
        try store.write(makeRecord(id: "b", texts: ["four"], rng: &rng))

        #expect(try store.passages(ids: ["b#1", "zzz#9", "a#3", "a#1"]).map(\.id) == ["b#1", "a#3", "a#1"])
        #expect(try store.passages(ofEntries: ["b", "a"]).map(\.id) == ["b#1", "a#1", "a#2", "a#3"])
        let summaries = try store.entrySummaries(ids: ["a", "missing"])
        #expect(summaries.keys.sorted() == ["a"])
        #expect(summaries["a"] == EntrySummary(id: "a", title: "Title of a", source: "project-authored", diagnosis: "Diagnosis a"))
    }

    @Test("re-writing an entry replaces all of it: no orphan passages, images, tiles, vectors or full-text rows")
    func rewriteReplaces() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 3)
        try store.write(makeRecord(id: "x", texts: ["granuloma with giant cells", "caseous necrosis", "third"],
                                   imageFiles: ["1.png", "2.png"], rng: &rng))
        try store.write(makeRecord(id: "y", texts: ["adipose tissue"], rng: &rng))
        // Load the vector index first, so the in-memory copy must follow the rewrite too.
        _ = try store.nearestPassages(to: randomVector(8, using: &rng), encoder: textEncoder.id, k: 3)

        try store.write(makeRecord(id: "x", texts: ["fibrosis only"], imageFiles: ["3.png"], hash: "hash-2", rng: &rng))

        #expect(try store.counts() == AtlasCounts(entries: 2, passages: 2, images: 1, tiles: 3, vectors: 2 + 1 + 3))
        #expect(try store.contentHash(ofEntry: "x") == "hash-2")
        #expect(try store.entry(id: "x")?.passages.map(\.text) == ["fibrosis only"])
        #expect(try store.imageData(entry: "x", file: "1.png") == nil)
        #expect(try store.lexicalSearch("granuloma caseous", k: 5).isEmpty)
        #expect(try store.lexicalSearch("fibrosis", k: 5).map(\.passageID) == ["x#1"])
        let hits = try store.nearestPassages(to: randomVector(8, using: &rng), encoder: textEncoder.id, k: 10)
        #expect(hits.map(\.passageID).sorted() == ["x#1", "y#1"])
        let images = try store.nearestImages(to: randomVector(6, using: &rng), encoder: imageEncoder.id, k: 10)
        #expect(images.map(\.file) == ["3.png"])
        #expect(try store.integrityProblems().isEmpty)
    }

    @Test("removing an entry removes everything hanging off it")
    func remove() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 4)
        try store.write(makeRecord(id: "gone", texts: ["necrosis"], imageFiles: ["n.png"], rng: &rng))
        try store.write(makeRecord(id: "kept", texts: ["mitosis"], rng: &rng))
        try store.removeEntry(id: "gone")
        #expect(try store.entryIDs() == ["kept"])
        #expect(try store.counts() == AtlasCounts(entries: 1, passages: 1, images: 0, tiles: 0, vectors: 1))
        #expect(try store.lexicalSearch("necrosis", k: 5).isEmpty)
        #expect(try store.nearestImages(to: randomVector(6, using: &rng), encoder: imageEncoder.id, k: 5).isEmpty)
        try store.optimize()
        #expect(try store.integrityProblems().isEmpty)
        #expect(try store.lexicalSearch("mitosis", k: 5).map(\.passageID) == ["kept#1"])
    }

    @Test("a write that fails half-way leaves the previous version, never half an entry")
    func failedWriteRollsBack() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 5)
        try store.write(makeRecord(id: "e", texts: ["original text"], imageFiles: ["o.png"], rng: &rng))
        let before = try store.counts()

        // The second image's vector has the wrong dimension: found only after passages and the first image
        // are already inserted in the transaction.
        var broken = makeRecord(id: "e", texts: ["replacement one", "replacement two"], imageFiles: ["p.png", "q.png"], rng: &rng)
        broken.images[1].embeddings[imageEncoder.id]!.vector = [1, 2, 3]
        #expect(throws: AtlasError.self) { try store.write(broken) }

        #expect(try store.counts() == before)
        #expect(try store.entry(id: "e")?.passages.map(\.text) == ["original text"])
        #expect(try store.lexicalSearch("replacement", k: 5).isEmpty)
        #expect(try store.lexicalSearch("original", k: 5).map(\.passageID) == ["e#1"])

        // A brand-new entry that fails leaves nothing at all.
        var duplicateFiles = makeRecord(id: "new", texts: ["fresh"], imageFiles: ["same.png", "same.png"], rng: &rng)
        duplicateFiles.contentHash = "h"
        #expect(throws: AtlasError.self) { try store.write(duplicateFiles) }
        #expect(try store.entry(id: "new") == nil)
        #expect(try store.counts() == before)
        #expect(try store.integrityProblems().isEmpty)
    }

    @Test("data written by one store is seen by another opened later, read-only")
    func reopenReadOnly() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        var rng = SeededGenerator(seed: 6)
        do {
            let store = try openRegistered(index)
            try store.write(makeRecord(id: "p", texts: ["papillary architecture"], rng: &rng))
        }
        let reader = try index.open(readOnly: true)
        #expect(try reader.lexicalSearch("papillary", k: 3).map(\.passageID) == ["p#1"])
        #expect(try reader.encoders() == [imageEncoder, textEncoder])
        #expect(throws: AtlasError.self) { try reader.removeEntry(id: "p") }
    }
}
