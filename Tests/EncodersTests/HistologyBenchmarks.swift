import Encoders
import AtlasCore
import Foundation
import Imaging
import Testing

/// Throughput of histo-v1, quoted against a named peer measured in the same run: decoding the same tile
/// from PNG with ImageCodec (libpng), the step that precedes it at ingest. Opt-in, because timings mean
/// little in a debug build or on a busy machine:
///     ATLASQA_BENCH=1 swift test -c release --filter HistologyBenchmarks
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ATLASQA_BENCH"] != nil))
struct HistologyBenchmarks {
    /// Mean CPU seconds of this thread per call over `runs` calls, after one warm-up call. CPU time, not wall
    /// time, because the machine is shared: other processes' load does not count against us.
    static func seconds(runs: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        let start = threadCPUTime()
        for _ in 0..<runs { try body() }
        return (threadCPUTime() - start) / Double(runs)
    }

    static func threadCPUTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    @Test func tilesPerSecond() throws {
        let descriptor = HistologyDescriptor()
        let tiles = HistoTestTissue.allCases.map { $0.image(seed: 11) }
        let png = try tiles.map { try ImageCodec.encodePNG($0) }
        var i = 0
        let embed = Self.seconds(runs: 200) { _ = descriptor.embed(tiles[i % tiles.count]); i += 1 }
        let normalise = Self.seconds(runs: 200) { _ = descriptor.normalizer.normalization(tiles[i % tiles.count]); i += 1 }
        let decode = try Self.seconds(runs: 200) { _ = try ImageCodec.decode(png[i % png.count], name: "t.png"); i += 1 }
        print(String(format: "histo-v1 224x224 tile: %.2f ms CPU (%.0f tiles/s per core); of which stain normalisation %.2f ms; PNG decode (peer) %.2f ms; embed/decode = %.1fx",
                     embed * 1000, 1 / embed, normalise * 1000, decode * 1000, embed / decode))

        let large = HistoTestTissue.fibres.image(width: 2048, height: 1536, seed: 2)
        let big = Self.seconds(runs: 3) { _ = descriptor.embed(large) }
        print(String(format: "histo-v1 2048x1536 image (working size 1024, %d tiles): %.0f ms", descriptor.embed(large).tiles.count, big * 1000))
        #expect(embed > 0)
    }
}
