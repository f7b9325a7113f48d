import Foundation
import Imaging
import Testing

/// `ImageCodec.decode(_:name:limits:maxSide:)`: the same size as decoding and then shrinking,
/// with large JPEGs decoded at reduced DCT scale first.
struct ReducedDecodeTests {
    static let large = JPEGCodecTests.smoothImage(width: 1600, height: 1200)

    @Test("a large JPEG gives the same size and nearly the same pixels as decode-then-shrink",
          arguments: [300, 401, 799, 1024])
    func jpegMatchesFullPath(maxSide: Int) throws {
        let data = try ImageCodec.encodeJPEG(Self.large, quality: 95)
        let reduced = try ImageCodec.decode(data, name: "big.jpg", maxSide: maxSide)
        let full = try ImageCodec.decode(data, name: "big.jpg").downscaled(maxSide: maxSide)
        #expect(reduced.width == full.width && reduced.height == full.height)
        #expect(max(reduced.width, reduced.height) == maxSide)
        #expect(JPEGCodecTests.meanAbsoluteError(reduced, full) < 1.5)
    }

    @Test("PNG and images that already fit take the plain path")
    func plainPath() throws {
        let png = try ImageCodec.encodePNG(ResizeTests.noise(width: 90, height: 60))
        #expect(try ImageCodec.decode(png, name: "a.png", maxSide: 45) == ImageCodec.decode(png, name: "a.png").downscaled(maxSide: 45))
        let jpeg = try ImageCodec.encodeJPEG(JPEGCodecTests.smoothImage())
        #expect(try ImageCodec.decode(jpeg, name: "s.jpg", maxSide: 500) == ImageCodec.decode(jpeg, name: "s.jpg"))
    }

    @Test("EXIF rotation and the pixel budget refer to the full image")
    func orientationAndBudget() throws {
        let data = JPEGCodecTests.withOrientation(try ImageCodec.encodeJPEG(Self.large), 6)
        let reduced = try ImageCodec.decode(data, name: "r.jpg", maxSide: 400)
        #expect(reduced.width == 300 && reduced.height == 400)
        #expect(throws: ImageError.self) {
            try ImageCodec.decode(data, name: "r.jpg", limits: ImageLimits(maxPixels: 1_000_000), maxSide: 400)
        }
    }
}
