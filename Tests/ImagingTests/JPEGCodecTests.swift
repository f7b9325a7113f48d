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
}
