import AtlasCore
import Encoders
import Foundation
import Imaging
import Store
import Testing
@testable import Ingest

/// Ingest with the built-in `histo-v1` descriptor, as `atlasqa ingest` runs it.
@Suite struct HistologyIngestTests {
    @Test func ingestWithTheHistologyDescriptor() throws {
        let atlas = try TempAtlas()
        for n in 0..<4 {
            let image = SyntheticTissue.image(kind: n, seed: UInt64(n), width: 300, height: 240)
            try atlas.write("kind-\(n)/field.png", try ImageCodec.encodePNG(image))
            try atlas.write("kind-\(n)/entry.md", "---\ntitle: Kind \(n)\nimages: [field.png]\n---\n## Features\nKind \(n).\n")
        }
        let path = atlas.root.path + ".sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let store = try AtlasStore(path: path)
        let encoder = HistologyDescriptor()
        let summary = try Ingester(writer: store, imageEncoder: encoder, textEncoders: [], workers: 2)
            .ingest(atlasAt: atlas.root, strict: true, progress: nil)
        #expect(summary.entries.ingested == 4 && summary.images == 4)
        #expect(summary.tiles > 4)
        #expect(try store.counts().tiles == summary.tiles)
        #expect(try store.encoders().map(\.id) == ["histo-v1"])

        let query = try encoder.embed(imageData: Data(contentsOf: atlas.url("kind-2/field.png")), name: "query.png")
        let hit = try #require(try store.nearestImages(to: query.vector, encoder: "histo-v1", k: 1).first)
        #expect(hit.entryID == "kind-2" && hit.score > 0.999)

        // A corrupt image: the descriptor's decoding error names the file, and the entry is skipped.
        try atlas.write("kind-1/field.png", TempAtlas.pngHead)
        let again = try Ingester(writer: store, imageEncoder: encoder, textEncoders: [], workers: 2)
            .ingest(atlasAt: atlas.root, strict: false, progress: nil)
        #expect(again.entries.failed == 1 && again.entries.unchanged == 3)
        let problem = try #require(again.problems.first)
        #expect(problem.entry == "kind-1" && problem.file.hasSuffix("kind-1/field.png"))
        #expect(problem.message.contains("kind-1/field.png"))
    }
}

/// Ingest throughput with one worker against two, on the same generated atlas and the same run.
/// Opt-in (it takes a while): `ATLASQA_BENCH_INGEST=1 swift test -c release --filter IngestBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ATLASQA_BENCH_INGEST"] != nil))
struct IngestBenchmark {
    @Test func workersOneVersusTwo() throws {
        let entries = Int(ProcessInfo.processInfo.environment["ATLASQA_BENCH_ENTRIES"] ?? "") ?? 40
        let atlas = try TempAtlas()
        for n in 0..<entries {
            for k in 0..<2 {
                let image = SyntheticTissue.image(kind: n % 4, seed: UInt64(n * 2 + k), width: 448, height: 448)
                try atlas.write("e-\(n)/f\(k).png", try ImageCodec.encodePNG(image))
            }
            try atlas.write("e-\(n)/entry.md", "---\ntitle: E\(n)\nimages: [f0.png, f1.png]\n---\nText \(n).\n")
        }
        var rates: [Int: Double] = [:]
        for workers in [1, 2, 1, 2] {
            let path = atlas.root.path + "-w\(workers)-\(UUID().uuidString).sqlite"
            defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
            let summary = try Ingester(writer: try AtlasStore(path: path), imageEncoder: HistologyDescriptor(), textEncoders: [], workers: workers)
                .ingest(atlasAt: atlas.root, strict: false, progress: nil)
            #expect(summary.images == entries * 2)
            rates[workers] = max(rates[workers] ?? 0, summary.imagesPerSecond)
            print("ingest benchmark: \(entries * 2) images 448x448, workers \(workers): \(IngestSummary.format(summary.imagesPerSecond)) images/s (\(IngestSummary.format(summary.seconds)) s)")
        }
        print("ingest benchmark: two workers / one worker = \(String(format: "%.2f", rates[2]! / rates[1]!))x (best of two runs each)")
    }
}
