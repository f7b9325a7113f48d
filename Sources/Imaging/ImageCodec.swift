public import Foundation

/// Limits checked from the image header, before any pixel memory is allocated.
public struct ImageLimits: Sendable, Hashable {
    /// Largest width × height accepted (default 64 megapixels).
    public var maxPixels: Int
    /// Largest width or height accepted (default 65 535, JPEG's own ceiling): a 1 × 50 000 000
    /// strip fits the pixel budget but is no pathology image.
    public var maxSide: Int

    public init(maxPixels: Int = 64_000_000, maxSide: Int = 65_535) {
        self.maxPixels = maxPixels
        self.maxSide = maxSide
    }

    /// Throws `.tooLarge` (or `.corrupt` for a zero side) for dimensions read from a header,
    /// e.g. from `ImageCodec.probe`, so a caller can refuse a file before reading all of it.
    public func check(width: Int, height: Int, format: ImageFormat, name: String) throws {
        let what = "decoding \(format.displayName) '\(name)'"
        guard width > 0, height > 0 else {
            throw ImageError(.corrupt, "\(what): header gives an empty size \(width)x\(height)")
        }
        guard width <= maxSide, height <= maxSide else {
            throw ImageError(.tooLarge, "\(what): \(width)x\(height) pixels exceeds the limit of \(maxSide) pixels per side")
        }
        guard width * height <= maxPixels else {
            let mp = { (n: Int) in String(format: "%.1f MP", Double(n) / 1e6) }
            throw ImageError(
                .tooLarge, "\(what): \(width)x\(height) pixels (\(mp(width * height))) exceeds the limit of \(mp(maxPixels))"
            )
        }
    }
}

/// Why an image could not be read or written. `message` names the file and the fault.
public struct ImageError: Error, Sendable, CustomStringConvertible, LocalizedError {
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
    public var errorDescription: String? { message }
}

public enum ImageFormat: String, Sendable {
    case png
    case jpeg

    var displayName: String { self == .png ? "PNG" : "JPEG" }

    /// Recognises a format by its magic bytes (also for inputs too short to be whole).
    init?(magic data: Data) {
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let head = Array(data.prefix(8))
        if !head.isEmpty, head.elementsEqual(pngSignature.prefix(head.count)) {
            self = .png
        } else if head.count >= 2, head[0] == 0xFF, head[1] == 0xD8, head.count == 2 || head[2] == 0xFF {
            self = .jpeg
        } else {
            return nil
        }
    }
}

/// PNG (libpng) and JPEG (libjpeg-turbo) to and from 8-bit RGB.
///
/// No colour management: gAMA, cHRM, sRGB and ICC profiles are ignored and samples are taken
/// as sRGB, which is what scanners and cameras write for H&E in practice.
public enum ImageCodec {
    /// Decodes PNG or JPEG bytes to 8-bit RGB (alpha composited on white). `name` labels errors.
    /// The size is checked against `limits` from the header, before pixel memory is allocated.
    public static func decode(_ data: Data, name: String, limits: ImageLimits = ImageLimits()) throws -> RGBImage {
        guard !data.isEmpty else {
            throw ImageError(.empty, "decoding '\(name)': the file is empty (0 bytes)")
        }
        switch ImageFormat(magic: data) {
        case .png:
            return try PNGDecoder.decode(data, name: name, limits: limits)
        case .jpeg:
            return try JPEGDecoder.decode(data, name: name, limits: limits)
        case nil:
            throw ImageError(
                .unsupportedFormat, "decoding '\(name)': not a PNG or JPEG (starts with \(describeMagic(data)))"
            )
        }
    }

    /// Decodes and shrinks so the longer side is at most `maxSide`: the same size as
    /// `decode(…).downscaled(maxSide:)`, but a large JPEG is first decoded at 1/2, 1/4 or 1/8 scale
    /// by libjpeg's DCT scaling (never below `maxSide`), so far fewer pixels are decoded. Pixel values
    /// differ from the full path by a level or two; PNG takes the full path. Limits apply to the full size.
    public static func decode(
        _ data: Data, name: String, limits: ImageLimits = ImageLimits(), maxSide: Int
    ) throws -> RGBImage {
        precondition(maxSide > 0, "maxSide must be positive")
        guard ImageFormat(magic: data) == .jpeg else {
            return try decode(data, name: name, limits: limits).downscaled(maxSide: maxSide)
        }
        let (image, fullWidth, fullHeight) = try JPEGDecoder.decode(data, name: name, limits: limits, reduceToward: maxSide)
        // The target size comes from the full size, so both paths agree on it exactly.
        let target = RGBImage.fitting(width: fullWidth, height: fullHeight, maxSide: maxSide)
        return image.downscaled(toWidth: target.width, height: target.height)
    }

    /// Reads and decodes a file; errors name the file (its last path component).
    public static func decodeFile(atPath path: String, limits: ImageLimits = ImageLimits()) throws -> RGBImage {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageError(.io, "reading '\(name)': no such file (\(path))")
        }
        guard !isDirectory.boolValue else {
            throw ImageError(.io, "reading '\(name)': is a directory, not an image (\(path))")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ImageError(.io, "reading '\(name)': \(error.localizedDescription)")
        }
        return try decode(data, name: name, limits: limits)
    }

    /// Format and size from the header alone, or nil when the bytes are not a readable PNG/JPEG header.
    public static func probe(_ data: Data) -> (format: ImageFormat, width: Int, height: Int)? {
        switch ImageFormat(magic: data) {
        case .png:
            return PNGDecoder.probe(data).map { (.png, $0.width, $0.height) }
        case .jpeg:
            return JPEGDecoder.probe(data).map { (.jpeg, $0.width, $0.height) }
        case nil:
            return nil
        }
    }

    /// 8-bit RGB PNG, non-interlaced, zlib level 3 (see `PNGWriter.compressionLevel`).
    public static func encodePNG(_ image: RGBImage) throws -> Data {
        try PNGWriter(colourType: .rgb, bitDepth: 8).write(rgb: image)
    }

    /// Baseline JPEG, 4:4:4 chroma (stain colours matter more than a few bytes). `quality` is 1…100.
    public static func encodeJPEG(_ image: RGBImage, quality: Int = 90) throws -> Data {
        try JPEGWriter(quality: quality).write(image)
    }

    /// The first bytes as text when printable ("GIF8"), else as hex ("0x00 0x01 0x02 0x03").
    static func describeMagic(_ data: Data) -> String {
        let head = Array(data.prefix(4))
        if head.allSatisfy({ (0x20...0x7E).contains($0) }) {
            return String(decoding: head, as: UTF8.self)
        }
        return head.map { String(format: "0x%02X", $0) }.joined(separator: " ")
    }
}
