import Foundation
import Imaging
import Testing

/// Damaged, empty, foreign and oversized inputs: a clear ImageError naming the file and the fault,
/// never a crash, and oversized images refused from the header before pixels are allocated.
struct DecodeFailureTests {
    static func samplePNG(width: Int = 40, height: Int = 30) throws -> Data {
        let pixels = (0..<(width * height * 3)).map { (i: Int) -> UInt8 in UInt8((i * 31 + i / 7) % 256) }
        return try ImageCodec.encodePNG(RGBImage(width: width, height: height, pixels: pixels))
    }

    static func sampleJPEG(progressive: Bool = false) throws -> Data {
        try JPEGWriter(quality: 90, progressive: progressive).write(JPEGCodecTests.smoothImage(width: 96, height: 80))
    }

    /// Offset of the first byte of a chunk's data (after length and type).
    static func chunkDataOffset(_ data: Data, type: String) -> Int? {
        let bytes = [UInt8](data)
        var at = 8
        while at + 8 <= bytes.count {
            let length = bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
            if String(decoding: bytes[at + 4..<at + 8], as: UTF8.self) == type { return at + 8 }
            at += 12 + length
        }
        return nil
    }

    static func expectError(_ code: ImageError.Code, containing parts: [String], _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an ImageError \(code)")
        } catch let error as ImageError {
            #expect(error.code == code, "\(error.message)")
            #expect(error.localizedDescription == error.message)
            for part in parts {
                #expect(error.message.contains(part), "'\(error.message)' should mention '\(part)'")
            }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("a flipped byte inside IDAT is reported as a CRC error")
    func idatCRC() throws {
        var data = try Self.samplePNG()
        let idat = try #require(Self.chunkDataOffset(data, type: "IDAT"))
        data[idat + 5] ^= 0x5A
        Self.expectError(.corrupt, containing: ["decoding PNG 'slide.png'", "IDAT", "CRC error"]) {
            _ = try ImageCodec.decode(data, name: "slide.png")
        }
    }

    @Test("truncated PNG says where it ends", arguments: [10, 30, 100, -20, -1])
    func truncatedPNG(cut: Int) throws {
        let data = try Self.samplePNG()
        let length = cut > 0 ? cut : data.count + cut
        let truncated = data.prefix(length)
        Self.expectError(.corrupt, containing: ["decoding PNG 'cut.png'", "truncated at byte \(length)"]) {
            _ = try ImageCodec.decode(truncated, name: "cut.png")
        }
    }

    @Test("truncated JPEG is refused, baseline and progressive", arguments: [false, true])
    func truncatedJPEG(progressive: Bool) throws {
        let data = try Self.sampleJPEG(progressive: progressive)
        for length in [3, 40, data.count / 2, data.count - 2] {
            Self.expectError(.corrupt, containing: ["decoding JPEG 'cut.jpg'"]) {
                _ = try ImageCodec.decode(data.prefix(length), name: "cut.jpg")
            }
        }
        Self.expectError(.corrupt, containing: ["truncated at byte \(data.count / 2)"]) {
            _ = try ImageCodec.decode(data.prefix(data.count / 2), name: "cut.jpg")
        }
    }

    @Test("stray bytes between JPEG markers are tolerated, as every viewer does")
    func extraneousBytes() throws {
        let data = try Self.sampleJPEG()
        var bytes = [UInt8](data)
        // Junk right before the first quantisation table (FF DB): libjpeg warns, decodes the same.
        let dqt = try #require(zip(bytes.indices, bytes.dropFirst()).first { bytes[$0.0] == 0xFF && $0.1 == 0xDB }?.0)
        bytes.insert(contentsOf: [0x12, 0x34, 0x56], at: dqt)
        #expect(try ImageCodec.decode(Data(bytes), name: "junk.jpg") == ImageCodec.decode(data, name: "clean.jpg"))
    }

    @Test("zero-byte file")
    func empty() {
        Self.expectError(.empty, containing: ["'empty.png'", "empty"]) {
            _ = try ImageCodec.decode(Data(), name: "empty.png")
        }
    }

    @Test("GIF, text and random bytes are not PNG or JPEG")
    func wrongType() {
        let gif = Data("GIF89a\u{01}\u{00}\u{01}\u{00}".utf8)
        Self.expectError(.unsupportedFormat, containing: ["'x.gif'", "not a PNG or JPEG", "GIF8"]) {
            _ = try ImageCodec.decode(gif, name: "x.gif")
        }
        Self.expectError(.unsupportedFormat, containing: ["'notes.png'", "Hell"]) {
            _ = try ImageCodec.decode(Data("Hello, world".utf8), name: "notes.png")
        }
        Self.expectError(.unsupportedFormat, containing: ["0x00 0x01 0x02 0x03"]) {
            _ = try ImageCodec.decode(Data([0, 1, 2, 3, 4, 5]), name: "blob")
        }
        #expect(ImageCodec.probe(gif) == nil)
    }

    @Test("random corruption anywhere never crashes and always names the file")
    func fuzz() throws {
        let inputs = [try Self.samplePNG(), try Self.sampleJPEG(), try Self.sampleJPEG(progressive: true),
                      try PNGWriter(colourType: .palette, bitDepth: 4, interlaced: true, palette: Array(repeating: 9, count: 48))
                          .write(width: 21, height: 9, samples: (0..<189).map { UInt16($0 % 16) })]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        var failures = 0
        for (n, original) in inputs.enumerated() {
            for _ in 0..<150 {
                var data = original
                for _ in 0..<(1 + next() % 4) {
                    data[next() % data.count] = UInt8(next() % 256)
                }
                do {
                    let image = try ImageCodec.decode(data, name: "fuzz\(n)")
                    #expect(image.pixels.count == image.width * image.height * 3)
                } catch let error as ImageError {
                    failures += 1
                    #expect(error.message.contains("fuzz\(n)"))
                }
            }
        }
        #expect(failures > 0, "some corruptions must be detected")
    }

    /// A valid 1x1 PNG whose IHDR claims `width` x `height` (with a correct CRC, so only the budget stops it).
    static func pngBomb(width: UInt32, height: UInt32) throws -> Data {
        var bytes = [UInt8](try ImageCodec.encodePNG(RGBImage(width: 1, height: 1)))
        for (i, v) in [width, height].enumerated() {
            for b in 0..<4 { bytes[16 + i * 4 + b] = UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(b))) }
        }
        let crc = CRC32.checksum(bytes[12..<29])
        for b in 0..<4 { bytes[29 + b] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(b))) }
        return Data(bytes)
    }

    /// A small JPEG whose frame header claims `width` x `height`.
    static func jpegBomb(width: UInt16, height: UInt16) throws -> Data {
        var bytes = [UInt8](try Self.sampleJPEG())
        let sof = try #require(zip(bytes.indices, bytes.dropFirst()).first { bytes[$0.0] == 0xFF && $0.1 == 0xC0 }?.0)
        bytes[sof + 5] = UInt8(height >> 8)
        bytes[sof + 6] = UInt8(height & 0xFF)
        bytes[sof + 7] = UInt8(width >> 8)
        bytes[sof + 8] = UInt8(width & 0xFF)
        return Data(bytes)
    }

    @Test("decompression bombs are refused from the header, fast")
    func bombs() throws {
        let clock = ContinuousClock()
        let png = try Self.pngBomb(width: 100_000, height: 100_000)
        #expect(ImageCodec.probe(png)?.width == 100_000)
        let pngTime = clock.measure {
            Self.expectError(.tooLarge, containing: ["decoding PNG 'bomb.png'", "100000x100000"]) {
                _ = try ImageCodec.decode(png, name: "bomb.png")
            }
        }
        // Within the per-side limit, so the pixel budget is what refuses it.
        let png2 = try Self.pngBomb(width: 60_000, height: 60_000)
        Self.expectError(.tooLarge, containing: ["60000x60000", "3600.0 MP", "64.0 MP"]) {
            _ = try ImageCodec.decode(png2, name: "bomb.png")
        }
        let jpeg = try Self.jpegBomb(width: 65_000, height: 65_000)
        #expect(ImageCodec.probe(jpeg)?.height == 65_000)
        let jpegTime = clock.measure {
            Self.expectError(.tooLarge, containing: ["decoding JPEG 'bomb.jpg'", "65000x65000", "MP"]) {
                _ = try ImageCodec.decode(jpeg, name: "bomb.jpg")
            }
        }
        // Refused from the header: microseconds of work (the bound is loose for busy CI machines).
        #expect(pngTime < .seconds(1) && jpegTime < .seconds(1))
    }

    @Test("the pixel budget is configurable")
    func budget() throws {
        let data = try Self.samplePNG(width: 40, height: 30)  // 1200 pixels
        Self.expectError(.tooLarge, containing: ["40x30"]) {
            _ = try ImageCodec.decode(data, name: "small.png", limits: ImageLimits(maxPixels: 1199))
        }
        #expect(try ImageCodec.decode(data, name: "small.png", limits: ImageLimits(maxPixels: 1200)).width == 40)
        Self.expectError(.tooLarge, containing: ["per side"]) {
            _ = try ImageCodec.decode(data, name: "small.png", limits: ImageLimits(maxSide: 39))
        }
        let jpeg = try Self.sampleJPEG()  // 96x80
        Self.expectError(.tooLarge, containing: ["96x80"]) {
            _ = try ImageCodec.decode(jpeg, name: "small.jpg", limits: ImageLimits(maxPixels: 96 * 80 - 1))
        }
    }

    @Test("decodeFile names the file in errors and decodes real files")
    func files() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imaging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.png")
        try Self.samplePNG().write(to: good)
        #expect(try ImageCodec.decodeFile(atPath: good.path).width == 40)
        Self.expectError(.io, containing: ["reading 'missing.jpg'", "no such file"]) {
            _ = try ImageCodec.decodeFile(atPath: dir.appendingPathComponent("missing.jpg").path)
        }
        Self.expectError(.io, containing: ["directory"]) { _ = try ImageCodec.decodeFile(atPath: dir.path) }
        let empty = dir.appendingPathComponent("empty.jpg")
        try Data().write(to: empty)
        Self.expectError(.empty, containing: ["'empty.jpg'"]) { _ = try ImageCodec.decodeFile(atPath: empty.path) }
    }
}

/// CRC-32 as PNG chunks use it (ISO 3309), to forge headers in tests.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        ~bytes.reduce(~UInt32(0)) { table[Int(($0 ^ UInt32($1)) & 0xFF)] ^ ($0 >> 8) }
    }
}
