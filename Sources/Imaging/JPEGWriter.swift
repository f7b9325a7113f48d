import CTurboJPEG
public import Foundation

/// Writes JPEGs through TurboJPEG: baseline or progressive, colour, greyscale or CMYK.
public struct JPEGWriter: Sendable {
    public enum Chroma: Sendable {
        /// Full-resolution colour (4:4:4).
        case full
        /// Half-resolution colour in both directions (4:2:0), the common camera default.
        case half
        /// Luminance only: a greyscale JPEG.
        case grey
        /// Adobe-style CMYK (K = max(R, G, B)), as print workflows produce.
        case cmyk
    }

    /// 1…100.
    public var quality: Int
    public var chroma: Chroma
    public var progressive: Bool

    public init(quality: Int = 90, chroma: Chroma = .full, progressive: Bool = false) {
        self.quality = quality
        self.chroma = chroma
        self.progressive = progressive
    }

    public func write(_ image: RGBImage) throws -> Data {
        guard image.width > 0, image.height > 0 else {
            throw ImageError(.unsupportedFormat, "encoding JPEG: empty image \(image.width)x\(image.height)")
        }
        guard (1...100).contains(quality) else {
            throw ImageError(.unsupportedFormat, "encoding JPEG: quality \(quality) is outside 1…100")
        }
        guard let handle = tjInitCompress() else { throw ImageError(.io, "encoding JPEG: cannot initialise TurboJPEG") }
        defer { tjDestroy(handle) }
        let flags = progressive ? TJFLAG_PROGRESSIVE : 0
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        defer { tjFree(output) }
        let status: Int32
        switch chroma {
        case .cmyk:
            var inks = [UInt8](repeating: 0, count: image.width * image.height * 4)
            atlas_rgb_to_cmyk(image.pixels, &inks, image.width * image.height)
            status = tjCompress2(
                handle, inks, Int32(image.width), 0, Int32(image.height), Int32(TJPF_CMYK.rawValue), &output, &size,
                Int32(TJSAMP_444.rawValue), Int32(quality), flags
            )
        case .full, .half, .grey:
            let sampling = chroma == .full ? TJSAMP_444 : chroma == .half ? TJSAMP_420 : TJSAMP_GRAY
            status = tjCompress2(
                handle, image.pixels, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue), &output, &size,
                Int32(sampling.rawValue), Int32(quality), flags
            )
        }
        guard status == 0, let output else {
            throw ImageError(.io, "encoding JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Data(bytes: output, count: Int(size))
    }
}
