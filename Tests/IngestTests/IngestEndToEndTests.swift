import AtlasCore
import Foundation
import Imaging
import Store
import Testing
@testable import Ingest

extension CountingWriter: AtlasEntryListing {
    func entryIDs() throws -> [String] { try (store as? any AtlasEntryListing)?.entryIDs() ?? [] }
}

/// Ingest into the real SQLite store, with real PNG/JPEG files decoded by the real codecs.
@Suite struct IngestEndToEndTests {
    struct Setup {
        let atlas: TempAtlas
        let store: AtlasStore
        let writer: CountingWriter
        let text = HashingTextEncoder()

        init(entries: Int, imagesPerEntry: Int = 2) throws {
            atlas = try TempAtlas()
            try writeGeneratedAtlas(atlas, count: entries, imagesPerEntry: imagesPerEntry)
            store = try AtlasStore(path: atlas.root.deletingLastPathComponent().appendingPathComponent("\(atlas.root.lastPathComponent).sqlite").path)
            writer = CountingWriter(store)
        }

        func ingester(workers: Int = 2) -> Ingester {
            Ingester(writer: writer, imageEncoder: ColourHistogramEncoder(), textEncoders: [text], workers: workers)
        }

        func ingest(strict: Bool = false, prune: Bool = false) throws -> IngestSummary {
            try ingester().ingest(atlasAt: atlas.root, strict: strict, prune: prune, progress: nil)
        }

        func removeIndex() {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }
        }
    }

    @Test func ingestsAGeneratedAtlas() throws {
        let s = try Setup(entries: 6)
        defer { s.removeIndex() }
        let summary = try s.ingest()
        #expect(summary.problems.isEmpty)
        #expect(summary.entries.inAtlas == 6 && summary.entries.ingested == 6 && summary.entries.failed == 0)
        #expect(summary.passages == 12 && summary.images == 12 && summary.tiles == 48)
        #expect(summary.imagesPerSecond > 0)
        let counts = try s.store.counts()
        #expect(counts.entries == 6 && counts.passages == 12 && counts.images == 12 && counts.tiles == 48)
        let entry = try #require(try s.store.entry(id: "entry-3"))
        #expect(entry.title == "Entry 3" && entry.source == "generated for tests")
        #expect(entry.passages.map(\.heading) == ["Microscopic features", "镜下特点"])
        #expect(entry.images.map(\.file) == ["field-0.png", "field-1.jpg"])
        #expect(try s.store.imageData(entry: "entry-3", file: "field-1.jpg") == (try Data(contentsOf: s.atlas.url("entry-3/field-1.jpg"))))
        // Passages went to the text encoder with their title and heading, several entries per batch.
        let batches = s.text.batches
        #expect(batches.flatMap { $0 }.count == 12)
        #expect(batches.count < 6 && batches.allSatisfy { $0.count <= 32 })
        // Windows of entries are embedded on worker threads, so batches need not arrive in atlas order.
        let firstPassage = try #require(batches.flatMap { $0 }.first { $0.hasPrefix("Entry 0 — Microscopic features\n") })
        #expect(try s.store.nearestPassages(to: s.text.embed([firstPassage], role: .passage)[0], encoder: "test-hashing", k: 1).first?.passageID == "entry-0#1")
    }

    @Test func theIngestedImagesAreFoundAgain() throws {
        let s = try Setup(entries: 8)
        defer { s.removeIndex() }
        _ = try s.ingest()
        let data = try Data(contentsOf: s.atlas.url("entry-5/field-0.png"))
        let query = try ColourHistogramEncoder().embed(imageData: data, name: "query.png")
        let hits = try s.store.nearestImages(to: query.vector, encoder: "test-rgb-histogram", k: 3)
        #expect(hits.first?.entryID == "entry-5" && hits.first?.file == "field-0.png")
        #expect((hits.first?.score ?? 0) > 0.999)
        let lexical = try s.store.lexicalSearch("number 5", k: 3)
        #expect(lexical.first?.passageID == "entry-5#1")
    }

    @Test func reingestSkipsUnchangedEntries() throws {
        let s = try Setup(entries: 5)
        defer { s.removeIndex() }
        _ = try s.ingest()
        #expect(s.writer.written.count == 5)
        let again = try s.ingest()
        #expect(again.entries.unchanged == 5 && again.entries.ingested == 0)
        #expect(again.images == 0 && again.passages == 0)
        #expect(s.writer.written.count == 5)  // nothing rewritten
    }

    @Test func aChangedEntryIsTheOnlyOneRewritten() throws {
        let s = try Setup(entries: 5)
        defer { s.removeIndex() }
        _ = try s.ingest()
        let path = "entry-2/entry.md"
        let text = try String(contentsOf: s.atlas.url(path), encoding: .utf8)
        try s.atlas.write(path, text.replacingOccurrences(of: "entry number 2.", with: "entry number 2, now with mitoses."))
        let summary = try s.ingest()
        #expect(summary.entries.ingested == 1 && summary.entries.unchanged == 4)
        #expect(s.writer.written.suffix(1) == ["entry-2"])
        #expect(try s.store.entry(id: "entry-2")?.passages.first?.text.contains("mitoses") == true)

        // A changed image (same name, other pixels) also counts as a change.
        try s.atlas.write("entry-4/field-0.png", try ImageCodec.encodePNG(SyntheticTissue.image(kind: 1, seed: 999)))
        let second = try s.ingest()
        #expect(second.entries.ingested == 1 && s.writer.written.last == "entry-4")
    }

    @Test func aBrokenEntryAmongGoodOnes() throws {
        let s = try Setup(entries: 4)
        defer { s.removeIndex() }
        // Valid magic bytes, truncated body: only the decoder can tell.
        let good = try Data(contentsOf: s.atlas.url("entry-1/field-0.png"))
        try s.atlas.write("entry-1/field-0.png", good.prefix(good.count / 2))
        try s.atlas.write("entry-2/entry.md", "---\ntitle: [unclosed\n---\nText.\n")
        let summary = try s.ingest()
        #expect(summary.entries.ingested == 2 && summary.entries.failed == 2 && summary.entries.inAtlas == 4)
        #expect(Set(try s.store.entryIDs()) == ["entry-0", "entry-3"])
        let corrupt = try #require(summary.problems.first { $0.entry == "entry-1" })
        #expect(corrupt.file == s.atlas.url("entry-1/field-0.png").standardizedFileURL.path)
        #expect(corrupt.message.contains("entry-1/field-0.png"))
        let yaml = try #require(summary.problems.first { $0.entry == "entry-2" })
        // The unclosed `[` opened on line 2 is noticed at the closing `---` on line 3; both are named.
        #expect(yaml.file.hasSuffix("entry-2/entry.md") && yaml.line == 3)
        #expect(yaml.message.contains("flow sequence on line 2"))
        #expect(summary.text.contains("problem: \(yaml.file):3: bad YAML"))
    }

    @Test func strictModeWritesNothing() throws {
        let s = try Setup(entries: 3)
        defer { s.removeIndex() }
        try s.atlas.write("entry-2/entry.md", "---\ntitle: ok\nimages: [missing.png]\n---\nText.\n")
        #expect(throws: AtlasError.self) { try s.ingest(strict: true) }
        #expect(try s.store.counts().entries == 0)
        #expect(s.writer.written.isEmpty)

        // A fault found only while embedding (a corrupt image) also aborts before any write.
        try s.atlas.remove("entry-2")
        try s.atlas.write("entry-1/field-1.jpg", Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]))
        do {
            _ = try s.ingest(strict: true)
            Issue.record("strict ingest of a corrupt image did not throw")
        } catch let error as AtlasError {
            #expect(error.code == .atlasFormat)
            #expect(error.message.contains("nothing was written") && error.message.contains("field-1.jpg"))
        }
        #expect(try s.store.counts().entries == 0)
        #expect(try s.store.encoders().isEmpty)
    }

    @Test func entriesThatLeftTheAtlasAreReportedThenPruned() throws {
        let s = try Setup(entries: 3)
        defer { s.removeIndex() }
        _ = try s.ingest()
        try s.atlas.remove("entry-1")
        let kept = try s.ingest()
        #expect(kept.entries.notInAtlas == ["entry-1"] && kept.entries.pruned.isEmpty)
        #expect(try s.store.entryIDs().contains("entry-1"))
        #expect(kept.text.contains("not in atlas"))
        let pruned = try s.ingest(prune: true)
        #expect(pruned.entries.pruned == ["entry-1"] && pruned.entries.notInAtlas.isEmpty)
        #expect(try s.store.entryIDs() == ["entry-0", "entry-2"])
    }

    @Test func jsonLinesAtlas() throws {
        let s = try Setup(entries: 0)
        defer { s.removeIndex() }
        for n in 0..<3 {
            try s.atlas.write("tiles/t\(n).png", try ImageCodec.encodePNG(SyntheticTissue.image(kind: n, seed: UInt64(n))))
        }
        let file = try s.atlas.write("bulk.jsonl", (0..<3).map {
            #"{"id": "tile-\#($0)", "text": "Tile \#($0) text.", "images": ["tiles/t\#($0).png"], "split": "train"}"#
        }.joined(separator: "\n") + "\n{broken\n")
        let summary = try s.ingester().ingest(atlasAt: file, strict: false, progress: nil)
        #expect(summary.format == .jsonl)
        #expect(summary.entries.ingested == 3 && summary.entries.failed == 1)
        #expect(summary.problems.map(\.line) == [4])
        #expect(try s.store.entry(id: "tile-1")?.metadata["split"] == #""train""#)
        #expect(try s.store.entry(id: "tile-1")?.images.map(\.file) == ["tiles/t1.png"])
    }

    /// Embedding on two threads stores exactly what one thread stores.
    @Test func parallelEmbeddingMatchesSerial() throws {
        let s = try Setup(entries: 6)
        defer { s.removeIndex() }
        let serialStore = try AtlasStore(path: s.store.path + ".serial.sqlite")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: serialStore.path + suffix) } }
        _ = try s.ingester(workers: 2).ingest(atlasAt: s.atlas.root, strict: false, progress: nil)
        _ = try Ingester(writer: serialStore, imageEncoder: ColourHistogramEncoder(), textEncoders: [], workers: 1)
            .ingest(atlasAt: s.atlas.root, strict: false, progress: nil)
        let query = try ColourHistogramEncoder().embed(imageData: Data(contentsOf: s.atlas.url("entry-0/field-1.jpg")), name: "q")
        let a = try s.store.nearestImages(to: query.vector, encoder: "test-rgb-histogram", k: 12)
        let b = try serialStore.nearestImages(to: query.vector, encoder: "test-rgb-histogram", k: 12)
        #expect(a == b)
        #expect(a.count == 12)
    }

    @Test func progressCountsEveryEntry() throws {
        let s = try Setup(entries: 4)
        defer { s.removeIndex() }
        try s.atlas.write("entry-3/entry.md", "no front matter")
        let out = Transcript()
        let progress = IngestProgress(isTerminal: false, write: { out.text += $0 })
        _ = try s.ingester().ingest(atlasAt: s.atlas.root, strict: false, progress: progress)
        #expect(out.text.contains("3/3 entries (100%)"))
        _ = try s.ingester().ingest(atlasAt: s.atlas.root, strict: false, progress: progress)
        #expect(out.text.components(separatedBy: "3/3 entries (100%)").count == 3)
    }
}

/// The histogram encoder under another weights hash: to the index, a different model with the same id.
struct RetrainedHistogramEncoder: ImageEncoder {
    let base = ColourHistogramEncoder()
    var id: String { base.id }
    var dimension: Int { base.dimension }
    let weightsHash = "retrained"
    func embed(imageData: Data, name: String) throws -> ImageEmbedding { try base.embed(imageData: imageData, name: name) }
}

extension IngestEndToEndTests {
    @Test(arguments: [false, true])
    func anIndexBuiltWithOtherWeightsIsRefused(strict: Bool) throws {
        let s = try Setup(entries: 2)
        defer { s.removeIndex() }
        _ = try s.ingest()
        try s.atlas.write("entry-9/entry.md", "---\ntitle: New\n---\nNew text.\n")
        let other = Ingester(writer: s.writer, imageEncoder: RetrainedHistogramEncoder(), textEncoders: [s.text], workers: 2)
        do {
            _ = try other.ingest(atlasAt: s.atlas.root, strict: strict, progress: nil)
            Issue.record("ingest with other weights did not throw")
        } catch let error as AtlasError {
            #expect(error.code == .encoder)
        }
        #expect(try s.store.entryIDs() == ["entry-0", "entry-1"])
        #expect(s.writer.written.count == 2)
    }
}

/// Refuses any text containing "POISON", like an encoder meeting input it cannot take.
struct PickyTextEncoder: TextEncoder {
    let base = HashingTextEncoder()
    var id: String { base.id }
    var dimension: Int { base.dimension }
    var weightsHash: String { base.weightsHash }
    func embed(_ texts: [String], role: TextRole) throws -> [[Float]] {
        if texts.contains(where: { $0.contains("POISON") }) { throw AtlasError(.encoder, "input the model cannot take") }
        return try base.embed(texts, role: role)
    }
}

extension IngestEndToEndTests {
    /// One entry's text breaks the text encoder: that entry is reported, the rest of its batch still goes in.
    @Test func aTextEncoderFailureIsPinnedOnItsEntry() throws {
        let s = try Setup(entries: 4)
        defer { s.removeIndex() }
        let path = "entry-2/entry.md"
        try s.atlas.write(path, try String(contentsOf: s.atlas.url(path), encoding: .utf8) + "\nPOISON\n")
        let summary = try Ingester(writer: s.writer, imageEncoder: ColourHistogramEncoder(), textEncoders: [PickyTextEncoder()], workers: 2)
            .ingest(atlasAt: s.atlas.root, strict: false, progress: nil)
        #expect(summary.entries.ingested == 3 && summary.entries.failed == 1)
        let problem = try #require(summary.problems.first)
        #expect(problem.entry == "entry-2" && problem.file.hasSuffix(path))
        #expect(problem.message.contains("embedding passages with 'test-hashing'"))
        #expect(try s.store.entryIDs() == ["entry-0", "entry-1", "entry-3"])
    }
}

extension IngestEndToEndTests {
    /// An atlas with nothing in it is most likely the wrong path: say so instead of "ingested 0 of 0".
    @Test func anEmptyAtlasIsAnError() throws {
        let s = try Setup(entries: 0)
        defer { s.removeIndex() }
        try s.atlas.write("README.md", "not an entry")
        do {
            _ = try s.ingest()
            Issue.record("ingesting an empty atlas did not throw")
        } catch let error as AtlasError {
            #expect(error.code == .atlasFormat && error.message.contains("found no entries"))
        }
    }
}
