import AtlasCore
import Answering
import Foundation
import Imaging
import Testing

/// The image path as the executable wires it: `Answering` cannot import `Imaging`, so the caller hands
/// the decoder this preparation step (decode, shrink to the configured side, re-encode as JPEG).
enum DecoderImagePreparation {
    static let jpeg: ImagePayload.Preparation = { data, _, maxSide in
        let image = try ImageCodec.decode(data, name: "query image")
        return ImagePayload(data: try ImageCodec.encodeJPEG(image.downscaled(maxSide: maxSide), quality: 90), mimeType: "image/jpeg")
    }
}

@Suite("Decoder image")
struct DecoderImageTests {
    /// A 1600×1200 PNG with a pink-purple gradient, made in code.
    static func largePNG() throws -> Data {
        let (w, h) = (1600, 1200)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let i = (y * w + x) * 3
                pixels[i] = UInt8(180 + x * 60 / w)
                pixels[i + 1] = UInt8(80 + y * 80 / h)
                pixels[i + 2] = UInt8(160 + (x + y) * 60 / (w + h))
            }
        }
        return try ImageCodec.encodePNG(RGBImage(width: w, height: h, pixels: pixels))
    }

    @Test("the server receives the image as a JPEG data URL no larger than the configured side", arguments: [1024, 512])
    func downscaledJPEG(maxSide: Int) async throws {
        let png = try Self.largePNG()
        try await withStandIn(
            model: "valid-citations", configure: { $0.maxImageSide = maxSide }, prepareImage: DecoderImagePreparation.jpeg
        ) { standIn, decoder in
            _ = try await decoder.decode(DecoderFixtures.decodeRequest(image: png, mime: "image/png"))
            let content = DecoderRequestTests.userContent(try await standIn.requests()[0])
            let url = try #require(content.first?["image_url"]?["url"]?.stringValue)
            let prefix = "data:image/jpeg;base64,"
            #expect(url.hasPrefix(prefix))
            let sent = try #require(Data(base64Encoded: String(url.dropFirst(prefix.count))))
            let image = try ImageCodec.decode(sent, name: "sent image")
            #expect(image.width == maxSide && image.height == maxSide * 3 / 4)
            #expect(sent.count < png.count)
        }
    }
}
