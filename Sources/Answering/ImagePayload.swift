public import Foundation

/// The image as it is sent to the decoder: encoded bytes and their MIME type, as a `data:` URL.
public struct ImagePayload: Sendable, Hashable {
    public var data: Data
    /// `image/jpeg` or `image/png`.
    public var mimeType: String

    public init(data: Data, mimeType: String) {
        self.data = data
        self.mimeType = mimeType
    }

    /// Shrinks and re-encodes an uploaded image so its longer side is at most `maxSide` pixels.
    /// `Answering` may not import `Imaging`, so the executable and the server pass one in (decode,
    /// resize, `ImageCodec.encodeJPEG`); without one the image is sent as uploaded.
    public typealias Preparation = @Sendable (_ data: Data, _ mimeType: String?, _ maxSide: Int) throws -> ImagePayload

    /// `data:image/jpeg;base64,…`
    public var dataURL: String { "data:\(mimeType);base64,\(data.base64EncodedString())" }

    /// The type the bytes say they are (the caller's label can be wrong or missing); nil if neither PNG nor JPEG.
    public static func sniffMimeType(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(8))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        return nil
    }

    /// The uploaded bytes unchanged, typed by their content.
    public static func asUploaded(_ data: Data, mimeType: String?) throws(ImagePayloadError) -> ImagePayload {
        guard let type = sniffMimeType(data) ?? mimeType.flatMap({ $0.hasPrefix("image/") ? $0 : nil }) else {
            throw ImagePayloadError("the image is neither PNG nor JPEG (\(data.count) bytes)")
        }
        return ImagePayload(data: data, mimeType: type)
    }
}

public struct ImagePayloadError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
