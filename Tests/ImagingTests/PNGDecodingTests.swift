import Foundation
import Imaging
import Testing

/// Every PNG colour type, bit depth and interlace mode, written in code with known samples and
/// decoded back: the decoder must expand to 8-bit RGB and composite alpha on white.
struct PNGDecodingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var colourType: PNGWriter.ColourType
        var bitDepth: Int
        var interlaced: Bool
        var testDescription: String { "\(colourType) \(bitDepth)-bit\(interlaced ? " Adam7" : "")" }
    }

    static let cases: [Case] = {
        let depths: [(PNGWriter.ColourType, [Int])] = [
            (.grey, [1, 2, 4, 8, 16]), (.rgb, [8, 16]), (.palette, [1, 2, 4, 8]),
            (.greyAlpha, [8, 16]), (.rgba, [8, 16]),
        ]
        return depths.flatMap { type, bits in
            bits.flatMap { depth in [false, true].map { Case(colourType: type, bitDepth: depth, interlaced: $0) } }
        }
    }()

    // Odd sizes exercise partial bytes at sub-byte depths and the ragged Adam7 passes.
    let width = 13
    let height = 11

    @Test("decodes to the expected 8-bit RGB", arguments: cases)
    func decodesEveryKind(_ c: Case) throws {
        let maxSample = (1 << c.bitDepth) - 1
        let paletteSize = min(maxSample + 1, 256)
        let palette: [UInt8] = (0..<paletteSize).flatMap { (i: Int) -> [UInt8] in
            let r = i * 37 % 256, g = 255 - i * 11 % 256, b = i * 101 % 256
            return [UInt8(r), UInt8(g), UInt8(b)]
        }
        // Alpha for the first palette entries only: later entries stay opaque, as tRNS allows.
        let paletteAlpha = (0..<max(1, paletteSize / 2)).map { UInt8($0 * 97 % 256) }
        let isPalette = c.colourType == .palette
        let samples = Self.samples(
            count: width * height * c.colourType.channels, max: isPalette ? paletteSize - 1 : maxSample
        )
        let writer = PNGWriter(
            colourType: c.colourType, bitDepth: c.bitDepth, interlaced: c.interlaced,
            palette: isPalette ? palette : [], paletteAlpha: isPalette ? paletteAlpha : []
        )
        let data = try writer.write(width: width, height: height, samples: samples)
        let image = try ImageCodec.decode(data, name: "case.png")
        #expect(image.width == width && image.height == height)

        var worst = 0
        for p in 0..<(width * height) {
            let expected: [Double]
            switch c.colourType {
            case .grey:
                expected = Array(repeating: Self.unit(samples[p], maxSample), count: 3)
            case .rgb:
                expected = (0..<3).map { Self.unit(samples[p * 3 + $0], maxSample) }
            case .greyAlpha:
                let g = Self.unit(samples[p * 2], maxSample), a = Self.unit(samples[p * 2 + 1], maxSample)
                expected = Array(repeating: Self.onWhite(g, a), count: 3)
            case .rgba:
                let a = Self.unit(samples[p * 4 + 3], maxSample)
                expected = (0..<3).map { Self.onWhite(Self.unit(samples[p * 4 + $0], maxSample), a) }
            case .palette:
                let i = Int(samples[p])
                let a = i < paletteAlpha.count ? Double(paletteAlpha[i]) / 255 : 1
                expected = (0..<3).map { Self.onWhite(Double(palette[i * 3 + $0]) / 255, a) }
            }
            for ch in 0..<3 {
                worst = max(worst, abs(Int(image.pixels[p * 3 + ch]) - Int((expected[ch] * 255).rounded())))
            }
        }
        // 16-bit alpha is reduced to 8 bits before compositing, which may cost one level.
        let hasAlpha16 = c.bitDepth == 16 && (c.colourType == .rgba || c.colourType == .greyAlpha)
        #expect(worst <= (hasAlpha16 ? 1 : 0), "largest channel error \(worst)")
    }

    @Test("tiny interlaced images, where some Adam7 passes are empty", arguments: [(1, 1), (2, 1), (1, 9), (3, 2), (9, 1)])
    func tinyInterlaced(width: Int, height: Int) throws {
        for type in [PNGWriter.ColourType.grey, .rgba] {
            let samples = (0..<(width * height * type.channels)).map { UInt16($0 * 37 % 256) }
            let data = try PNGWriter(colourType: type, interlaced: true).write(width: width, height: height, samples: samples)
            let image = try ImageCodec.decode(data, name: "tiny.png")
            #expect(image.width == width && image.height == height)
            // Every pixel, not just the first: a pass mix-up would put samples in the wrong place.
            for p in 0..<(width * height) {
                let expected: [UInt8] = (0..<3).map { c in
                    if type == .grey { return UInt8(samples[p]) }
                    let v = Double(samples[p * 4 + c]), a = Double(samples[p * 4 + 3])
                    return UInt8(((v * a + 255 * (255 - a)) / 255).rounded())
                }
                #expect(Array(image.pixels[p * 3..<p * 3 + 3]) == expected, "\(type) pixel \(p)")
            }
        }
    }

    @Test("16-bit samples are rounded to 8 bits, not truncated to the high byte")
    func sixteenBitRounding() throws {
        let values: [UInt16] = [0x0000, 0x007F, 0x0080, 0x00FF, 0x7FFF, 0x80FF, 0xFF7F, 0xFFFF]
        let data = try PNGWriter(colourType: .grey, bitDepth: 16).write(width: values.count, height: 1, samples: values)
        let image = try ImageCodec.decode(data, name: "grey16.png")
        let decoded = stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] }
        let expected = values.map { UInt8((Double($0) * 255 / 65535).rounded()) }
        #expect(decoded == expected)
        #expect(decoded[3] == 1, "0x00FF is 0.99 of a level: the high byte alone would give 0")
    }

    @Test("tRNS transparent colour in grey and RGB images becomes white", arguments: [false, true])
    func transparentColour(interlaced: Bool) throws {
        let grey = try PNGWriter(colourType: .grey, bitDepth: 8, interlaced: interlaced, transparentColour: [40])
            .write(width: 3, height: 1, samples: [40, 41, 0])
        #expect(try ImageCodec.decode(grey, name: "g.png").pixels == [255, 255, 255, 41, 41, 41, 0, 0, 0])
        let rgb = try PNGWriter(
            colourType: .rgb, bitDepth: 16, interlaced: interlaced, transparentColour: [1000, 2000, 3000]
        ).write(width: 2, height: 1, samples: [1000, 2000, 3000, 1000, 2000, 3001])
        #expect(try ImageCodec.decode(rgb, name: "c.png").pixels == [255, 255, 255, 4, 8, 12])
    }

    @Test("encodePNG round-trips 8-bit RGB exactly")
    func encodeRoundTrip() throws {
        let pixels = (0..<(31 * 17 * 3)).map { UInt8(($0 * 7919) % 256) }
        let image = RGBImage(width: 31, height: 17, pixels: pixels)
        let data = try ImageCodec.encodePNG(image)
        #expect(try ImageCodec.decode(data, name: "rt.png") == image)
        let probe = ImageCodec.probe(data)
        #expect(probe?.format == .png && probe?.width == 31 && probe?.height == 17)
    }

    @Test("concurrent decodes of PNG and JPEG give the same pixels as serial ones")
    func concurrent() async throws {
        let image = RGBImage(width: 120, height: 90, pixels: (0..<(120 * 90 * 3)).map { (i: Int) -> UInt8 in UInt8(i * 13 % 251) })
        let png = try PNGWriter(colourType: .rgb, interlaced: true).write(rgb: image)
        let jpeg = try JPEGWriter(progressive: true).write(image)
        let expectedJPEG = try ImageCodec.decode(jpeg, name: "s.jpg")
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in 0..<16 {
                group.addTask {
                    n % 2 == 0
                        ? try ImageCodec.decode(png, name: "c.png") == image
                        : try ImageCodec.decode(jpeg, name: "c.jpg") == expectedJPEG
                }
            }
            for try await same in group { #expect(same) }
        }
    }

    /// Deterministic samples that include 0 and the maximum.
    static func samples(count: Int, max: Int) -> [UInt16] {
        var state: UInt32 = 2_463_534_242
        return (0..<count).map { i in
            if i == 0 { return 0 }
            if i == 1 { return UInt16(max) }
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt16(Int(state) % (max + 1))
        }
    }

    static func unit(_ v: UInt16, _ max: Int) -> Double { Double(v) / Double(max) }
    static func onWhite(_ c: Double, _ a: Double) -> Double { c * a + (1 - a) }
}
