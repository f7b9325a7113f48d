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

/// Ingest throughput with one worker against two, on the same generated atlas and in the same run.
/// Opt-in (it takes a while): `ATLASQA_BENCH_INGEST=1 swift test -c release -Xswiftc -enable-testing --filter IngestBenchmark`.
/// CPU time over wall time shows how many cores were really used (a busy machine gives fewer than asked).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ATLASQA_BENCH_INGEST"] != nil))
struct IngestBenchmark {
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)  // glibc spells the constant as an enum
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    @Test func workersOneVersusTwo() throws {
        let entries = Int(ProcessInfo.processInfo.environment["ATLASQA_BENCH_ENTRIES"] ?? "") ?? 40
        let atlas = try TempAtlas()
        var files: [Data] = []
        for n in 0..<entries {
            for k in 0..<2 {
                let image = SyntheticTissue.image(kind: n % 4, seed: UInt64(n * 2 + k), width: 448, height: 448)
                let png = try ImageCodec.encodePNG(image)
                files.append(png)
                try atlas.write("e-\(n)/f\(k).png", png)
            }
            try atlas.write("e-\(n)/entry.md", "---\ntitle: E\(n)\nimages: [f0.png, f1.png]\n---\nText \(n).\n")
        }
        let encoder = HistologyDescriptor()
        var encodeRates: [Int: Double] = [:]
        var ingestRates: [Int: Double] = [:]
        for workers in [1, 2, 1, 2] {
            let wall0 = Date(), cpu0 = Self.cpuSeconds()
            let vectors = parallelMap(files, workers: workers) { (try? encoder.embed(imageData: $0, name: "bench.png"))?.vector.count ?? 0 }
            let wall = Date().timeIntervalSince(wall0), cpu = Self.cpuSeconds() - cpu0
            #expect(vectors.allSatisfy { $0 == encoder.dimension })
            encodeRates[workers] = max(encodeRates[workers] ?? 0, Double(files.count) / wall)
            print("ingest benchmark: encode only, workers \(workers): \(IngestSummary.format(Double(files.count) / wall)) images/s, cpu/wall \(String(format: "%.2f", cpu / wall))")

            let path = atlas.root.path + "-w\(workers)-\(UUID().uuidString).sqlite"
            defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
            let cpu1 = Self.cpuSeconds()
            let summary = try Ingester(writer: try AtlasStore(path: path), imageEncoder: encoder, textEncoders: [], workers: workers)
                .ingest(atlasAt: atlas.root, strict: false, progress: nil)
            #expect(summary.images == entries * 2)
            ingestRates[workers] = max(ingestRates[workers] ?? 0, summary.imagesPerSecond)
            print("ingest benchmark: full ingest (\(entries * 2) images 448x448, histo-v1, SQLite), workers \(workers): \(IngestSummary.format(summary.imagesPerSecond)) images/s, cpu/wall \(String(format: "%.2f", (Self.cpuSeconds() - cpu1) / summary.seconds))")
        }
        print("ingest benchmark: two workers / one worker: encode \(String(format: "%.2f", encodeRates[2]! / encodeRates[1]!))x, full ingest \(String(format: "%.2f", ingestRates[2]! / ingestRates[1]!))x (best of two runs each)")
    }
}
