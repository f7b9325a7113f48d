import Foundation
import Imaging
import Testing

/// JPEG through TurboJPEG: baseline and progressive round trips, greyscale and CMYK files.
struct JPEGCodecTests {
    /// A smooth H&E-like gradient: JPEG's home ground, so errors should be small.
    static func smoothImage(width: Int = 64, height: Int = 48) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                pixels[i] = UInt8(180 + x * 60 / width)  // pink-purple range
                pixels[i + 1] = UInt8(80 + y * 100 / height)
                pixels[i + 2] = UInt8(150 + (x + y) * 80 / (width + height))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func meanAbsoluteError(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.pixels.count == b.pixels.count)
        let total = zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        return Double(total) / Double(a.pixels.count)
    }

    /// True when the file has a start-of-frame marker of the given kind (C0 baseline, C2 progressive).
    static func hasMarker(_ data: Data, _ marker: UInt8) -> Bool {
        let bytes = [UInt8](data)
        return zip(bytes, bytes.dropFirst()).contains { $0 == 0xFF && $1 == marker }
    }

    @Test("baseline JPEG round trip stays close to the original")
    func baseline() throws {
        let image = Self.smoothImage()
        let data = try ImageCodec.encodeJPEG(image, quality: 95)
        #expect(Self.hasMarker(data, 0xC0))
        let decoded = try ImageCodec.decode(data, name: "b.jpg")
        #expect(decoded.width == image.width && decoded.height == image.height)
        #expect(Self.meanAbsoluteError(decoded, image) < 2)
        let probe = ImageCodec.probe(data)
        #expect(probe?.format == .jpeg && probe?.width == 64 && probe?.height == 48)
    }

    @Test("lower quality gives a smaller file and a larger error")
    func qualityMatters() throws {
        let image = Self.smoothImage()
        let high = try ImageCodec.encodeJPEG(image, quality: 95)
        let low = try ImageCodec.encodeJPEG(image, quality: 20)
        #expect(low.count < high.count)
        let lowError = Self.meanAbsoluteError(try ImageCodec.decode(low, name: "l.jpg"), image)
        let highError = Self.meanAbsoluteError(try ImageCodec.decode(high, name: "h.jpg"), image)
        #expect(lowError > highError)
    }

    @Test("progressive JPEG decodes like the baseline one", arguments: [JPEGWriter.Chroma.full, .half])
    func progressive(chroma: JPEGWriter.Chroma) throws {
        let image = Self.smoothImage(width: 67, height: 45)  // not a multiple of the MCU size
        let data = try JPEGWriter(quality: 92, chroma: chroma, progressive: true).write(image)
        #expect(Self.hasMarker(data, 0xC2), "expected an SOF2 (progressive) frame")
        let decoded = try ImageCodec.decode(data, name: "p.jpg")
        let baseline = try ImageCodec.decode(JPEGWriter(quality: 92, chroma: chroma).write(image), name: "b.jpg")
        #expect(Self.meanAbsoluteError(decoded, image) < 3)
        // Progressive coding is lossless over the same quantised coefficients.
        #expect(decoded == baseline)
    }

    @Test("greyscale JPEG decodes to equal R, G and B at the image's luminance")
    func greyscale() throws {
        let image = Self.smoothImage()
        let data = try JPEGWriter(quality: 95, chroma: .grey).write(image)
        let decoded = try ImageCodec.decode(data, name: "g.jpg")
        var worst = 0
        for p in 0..<(image.width * image.height) {
            let r = Double(image.pixels[p * 3]), g = Double(image.pixels[p * 3 + 1]), b = Double(image.pixels[p * 3 + 2])
            let luma = Int((0.299 * r + 0.587 * g + 0.114 * b).rounded())
            #expect(decoded.pixels[p * 3] == decoded.pixels[p * 3 + 1] && decoded.pixels[p * 3] == decoded.pixels[p * 3 + 2])
            worst = max(worst, abs(Int(decoded.pixels[p * 3]) - luma))
        }
        #expect(worst <= 4)
    }

    @Test("CMYK JPEG is converted to RGB")
    func cmyk() throws {
        let image = Self.smoothImage()
        let data = try JPEGWriter(quality: 98, chroma: .cmyk).write(image)
        let decoded = try ImageCodec.decode(data, name: "cmyk.jpg")
        #expect(Self.meanAbsoluteError(decoded, image) < 3)
    }

    @Test("quality outside 1…100 is refused")
    func badQuality() {
        #expect(throws: ImageError.self) { try ImageCodec.encodeJPEG(Self.smoothImage(), quality: 0) }
    }

    /// `jpeg` with an APP1 Exif segment carrying `orientation`, placed after the JFIF header.
    static func withOrientation(_ jpeg: Data, _ orientation: UInt16, bigEndian: Bool = false) -> Data {
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] { bigEndian ? u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) : u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16)) }
        var tiff: [UInt8] = (bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]) + u16(42) + u32(8)
        tiff += u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + [0, 0] + u32(0)
        let body: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let segment: [UInt8] = [0xFF, 0xE1, UInt8((body.count + 2) >> 8), UInt8((body.count + 2) & 0xFF)] + body
        var bytes = [UInt8](jpeg)
        var at = 2
        if bytes[2] == 0xFF, bytes[3] == 0xE0 { at = 4 + Int(bytes[4]) << 8 + Int(bytes[5]) }
        bytes.insert(contentsOf: segment, at: at)
        return Data(bytes)
    }

    enum Corner: CaseIterable { case topLeft, topRight, bottomLeft, bottomRight }

    @Test("EXIF orientation turns the image upright, as viewers show it", arguments: 1...8)
    func orientation(_ orientation: Int) throws {
        // Stored quadrants: red, green / blue, white; 24x16 blocks keep JPEG edges clean.
        let colours: [Corner: (UInt8, UInt8, UInt8)] = [
            .topLeft: (220, 30, 30), .topRight: (30, 200, 40), .bottomLeft: (30, 40, 210), .bottomRight: (250, 250, 250),
        ]
        var pixels = [UInt8]()
        for y in 0..<32 {
            for x in 0..<48 {
                let c = colours[y < 16 ? (x < 24 ? .topLeft : .topRight) : (x < 24 ? .bottomLeft : .bottomRight)]!
                pixels += [c.0, c.1, c.2]
            }
        }
        let plain = try JPEGWriter(quality: 95).write(RGBImage(width: 48, height: 32, pixels: pixels))
        // EXIF: where the stored first row and first column end up when displayed.
        let storedTopLeftShownAt: [Corner] = [.topLeft, .topRight, .bottomRight, .bottomLeft, .topLeft, .topRight, .bottomRight, .bottomLeft]
        let storedTopRightShownAt: [Corner] = [.topRight, .topLeft, .bottomLeft, .bottomRight, .bottomLeft, .bottomRight, .topRight, .topLeft]
        let storedBottomLeftShownAt: [Corner] = [.bottomLeft, .bottomRight, .topRight, .topLeft, .topRight, .topLeft, .bottomLeft, .bottomRight]
        for bigEndian in [false, true] {
            let data = Self.withOrientation(plain, UInt16(orientation), bigEndian: bigEndian)
            let image = try ImageCodec.decode(data, name: "o.jpg")
            let swapped = orientation >= 5
            #expect(image.width == (swapped ? 32 : 48) && image.height == (swapped ? 48 : 32))
            #expect(ImageCodec.probe(data)?.width == image.width && ImageCodec.probe(data)?.height == image.height)
            func colour(at corner: Corner) -> (Int, Int, Int) {
                let x = corner == .topLeft || corner == .bottomLeft ? 3 : image.width - 4
                let y = corner == .topLeft || corner == .topRight ? 3 : image.height - 4
                let i = (y * image.width + x) * 3
                return (Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
            }
            let shownAt = [
                Corner.topLeft: storedTopLeftShownAt[orientation - 1], .topRight: storedTopRightShownAt[orientation - 1],
                .bottomLeft: storedBottomLeftShownAt[orientation - 1],
            ]
            let bottomRight = Set(Corner.allCases).subtracting(shownAt.values).first!
            for (stored, shown) in shownAt.merging([.bottomRight: bottomRight], uniquingKeysWith: { a, _ in a }) {
                let want = colours[stored]!, got = colour(at: shown)
                #expect(abs(got.0 - Int(want.0)) + abs(got.1 - Int(want.1)) + abs(got.2 - Int(want.2)) < 30,
                        "stored \(stored) should be shown at \(shown), found \(got)")
            }
        }
    }
}
