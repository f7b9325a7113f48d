import CPNG
import Foundation
import Imaging
import Testing

/// Throughput of the ingest path (decode, downscale, tile crops), quoted against a named peer
/// measured in the same run: libpng's simplified API (`png_image_finish_read`) decoding the same file.
/// Opt-in, because timings mean little in a debug build or on a busy machine:
///     ATLASQA_BENCH=1 swift test -c release --filter ImagingBenchmarks
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ATLASQA_BENCH"] != nil))
struct ImagingBenchmarks {
    /// Noisy stain-coloured blobs: harder to compress than flat colour, like real tissue.
    static func tissue(width: Int, height: Int) -> RGBImage {
        var state: UInt32 = 7
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 1_664_525 &+ 1_013_904_223
                let n = Int(state >> 28)
                let nucleus = (x / 17 + y / 13) % 5 == 0
                let i = (y * width + x) * 3
                pixels[i] = UInt8(nucleus ? 120 + n : 220 + n)
                pixels[i + 1] = UInt8(nucleus ? 60 + n : 150 + n)
                pixels[i + 2] = UInt8(nucleus ? 160 + n : 200 + n)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Mean seconds per call over `runs` calls, after one warm-up call.
    static func seconds(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        let start = ContinuousClock.now
        for _ in 0..<runs { try body() }
        let elapsed = ContinuousClock.now - start
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) / Double(runs)
    }

    static func report(_ label: String, _ s: Double) {
        print(String(format: "bench %@: %.2f ms (%.0f/s)", label, s * 1000, 1 / s))
    }

    static func peerDecode(_ png: Data) -> [UInt8] {
        png.withUnsafeBytes { raw in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else { return [] }
            image.format = UInt32(PNG_FORMAT_RGB)
            var pixels = [UInt8](repeating: 0, count: Int(image.width * image.height * 3))
            _ = png_image_finish_read(&image, nil, &pixels, 0, nil)
            png_image_free(&image)
            return pixels
        }
    }

    @Test("decode, downscale and tile a 1024x768 image")
    func ingestPath() throws {
        let image = Self.tissue(width: 1024, height: 768)
        let png = try ImageCodec.encodePNG(image)
        let jpeg = try ImageCodec.encodeJPEG(image)
        #expect(Self.peerDecode(png) == image.pixels)

        let ours = try Self.seconds(20) { _ = try ImageCodec.decode(png, name: "b.png") }
        let peer = Self.seconds(20) { _ = Self.peerDecode(png) }
        Self.report("decode PNG 1024x768 (\(png.count) bytes)", ours)
        Self.report("peer png_image_finish_read", peer)
        print(String(format: "bench PNG decode time ours/peer = %.2f", ours / peer))
        Self.report("decode JPEG 1024x768 (\(jpeg.count) bytes)", try Self.seconds(20) { _ = try ImageCodec.decode(jpeg, name: "b.jpg") })
        Self.report("encodePNG 1024x768", try Self.seconds(5) { _ = try ImageCodec.encodePNG(image) })
        Self.report("encodeJPEG 1024x768", try Self.seconds(20) { _ = try ImageCodec.encodeJPEG(image) })
        Self.report("downscale 1024x768 -> 224x168", Self.seconds(20) { _ = image.downscaled(maxSide: 224) })
        let tiles = Tiler().tiles(width: image.width, height: image.height)
        Self.report("crop \(tiles.count) tiles", Self.seconds(20) { for t in tiles { _ = image.cropped(t) } })
        let big = Self.tissue(width: 4096, height: 3072)
        Self.report("downscale 4096x3072 -> 224", Self.seconds(3) { _ = big.downscaled(maxSide: 224) })
        let photo = try ImageCodec.encodeJPEG(big)
        let fullThenShrink = try Self.seconds(3) { _ = try ImageCodec.decode(photo, name: "p.jpg").downscaled(maxSide: 1024) }
        let reduced = try Self.seconds(3) { _ = try ImageCodec.decode(photo, name: "p.jpg", maxSide: 1024) }
        Self.report("JPEG 4096x3072 decode + downscale to 1024", fullThenShrink)
        Self.report("JPEG 4096x3072 decode(maxSide: 1024)", reduced)
        // The extra work over the peer (CRC pre-check, composite) must stay small.
        #expect(ours < peer * 1.5)
    }
}
