public import Foundation

/// Limits checked from the image header, before any pixel memory is allocated.
public struct ImageLimits: Sendable, Hashable {
    /// Largest width × height accepted (default 64 megapixels).
    public var maxPixels: Int

    public init(maxPixels: Int = 64_000_000) {
        self.maxPixels = maxPixels
    }
}

/// Why an image could not be read or written. `message` names the file and the fault.
public struct ImageError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case empty
        case unsupportedFormat
        case tooLarge
        case corrupt
        case io
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

public enum ImageFormat: String, Sendable {
    case png
    case jpeg
}

/// PNG and JPEG to and from 8-bit RGB. (Placeholder signatures; the imaging work fills them in.)
public enum ImageCodec {
    /// Decodes PNG or JPEG bytes to 8-bit RGB (alpha composited on white). `name` labels errors.
    public static func decode(_ data: Data, name: String, limits: ImageLimits = ImageLimits()) throws -> RGBImage {
        throw ImageError(.unsupportedFormat, "decoding '\(name)': not implemented yet")
    }

    public static func encodePNG(_ image: RGBImage) throws -> Data {
        throw ImageError(.unsupportedFormat, "encoding PNG: not implemented yet")
    }

    public static func encodeJPEG(_ image: RGBImage, quality: Int = 90) throws -> Data {
        throw ImageError(.unsupportedFormat, "encoding JPEG: not implemented yet")
    }
}
