import CTurboJPEG
import Foundation

/// JPEG → 8-bit RGB through TurboJPEG (baseline, progressive, greyscale, CMYK/YCCK), turned
/// upright by its EXIF orientation.
enum JPEGDecoder {
    static func decode(_ data: Data, name: String, limits: ImageLimits) throws -> RGBImage {
        try decode(data, name: name, limits: limits, reduceToward: nil).image
    }

    /// With `reduceToward`, libjpeg's DCT scaling (1/2, 1/4, 1/8) decodes a smaller image directly, the
    /// smallest whose longer side is still at least `reduceToward`: much cheaper than decoding every
    /// pixel of a large photo only to shrink it. `fullWidth`/`fullHeight` are the upright full size.
    static func decode(
        _ data: Data, name: String, limits: ImageLimits, reduceToward: Int?
    ) throws -> (image: RGBImage, fullWidth: Int, fullHeight: Int) {
        guard let handle = tjInitDecompress() else {
            throw ImageError(.io, "decoding JPEG '\(name)': cannot initialise TurboJPEG")
        }
        defer { tjDestroy(handle) }
        return try data.withUnsafeBytes { raw -> (image: RGBImage, fullWidth: Int, fullHeight: Int) in
            let source = raw.bindMemory(to: UInt8.self).baseAddress
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourSpace: Int32 = 0
            // A tolerated warning (see isFatal) still returns -1, with the header fields filled in.
            if tjDecompressHeader3(handle, source, UInt(raw.count), &width, &height, &subsampling, &colourSpace) != 0,
               isFatal(handle) || width == 0 || height == 0 {
                throw failure(handle, name: name, size: raw.count, reading: "header")
            }
            try limits.check(width: Int(width), height: Int(height), format: .jpeg, name: name)
            let fullWidth = Int(width), fullHeight = Int(height)
            if let target = reduceToward {
                let longer = max(fullWidth, fullHeight)
                // TJSCALED(d, 1/n) = ceil(d / n); tjDecompress2 picks the factor that yields exactly this size.
                if let n = [8, 4, 2].first(where: { (longer + $0 - 1) / $0 >= target }) {
                    width = Int32((fullWidth + n - 1) / n)
                    height = Int32((fullHeight + n - 1) / n)
                }
            }
            let count = Int(width) * Int(height)
            let cmyk = colourSpace == Int32(TJCS_CMYK.rawValue) || colourSpace == Int32(TJCS_YCCK.rawValue)
            // Progressive files with thousands of scans are a CPU bomb; LIMITSCANS stops at 500.
            let flags = TJFLAG_LIMITSCANS
            var status: Int32 = 0
            let pixels: [UInt8]
            if cmyk {
                // TurboJPEG cannot convert CMYK to RGB itself: decode CMYK, convert in C.
                var inks = [UInt8](repeating: 0, count: count * 4)
                status = inks.withUnsafeMutableBufferPointer {
                    tjDecompress2(handle, source, UInt(raw.count), $0.baseAddress, width, 0, height, Int32(TJPF_CMYK.rawValue), flags)
                }
                pixels = [UInt8](unsafeUninitializedCapacity: count * 3) { buffer, n in
                    atlas_cmyk_to_rgb(inks, buffer.baseAddress, count)
                    n = count * 3
                }
            } else {
                // Zero-filled rather than uninitialised: a tolerated warning must never expose stale heap bytes.
                var rgb = [UInt8](repeating: 0, count: count * 3)
                status = rgb.withUnsafeMutableBufferPointer {
                    tjDecompress2(handle, source, UInt(raw.count), $0.baseAddress, width, 0, height, Int32(TJPF_RGB.rawValue), flags)
                }
                pixels = rgb
            }
            if status != 0, isFatal(handle) {
                throw failure(handle, name: name, size: raw.count, reading: "data")
            }
            let orientation = ExifOrientation(jpeg: raw)
            let image = RGBImage(width: Int(width), height: Int(height), pixels: pixels).oriented(orientation)
            return orientation.swapsSides ? (image, fullHeight, fullWidth) : (image, fullWidth, fullHeight)
        }
    }

    /// Width and height as displayed (EXIF orientation applied), from the headers alone.
    static func probe(_ data: Data) -> (width: Int, height: Int)? {
        guard let handle = tjInitDecompress() else { return nil }
        defer { tjDestroy(handle) }
        return data.withUnsafeBytes { raw in
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourSpace: Int32 = 0
            let source = raw.bindMemory(to: UInt8.self).baseAddress
            if tjDecompressHeader3(handle, source, UInt(raw.count), &width, &height, &subsampling, &colourSpace) != 0,
               isFatal(handle) || width == 0 || height == 0 {
                return nil
            }
            return ExifOrientation(jpeg: raw).swapsSides ? (Int(height), Int(width)) : (Int(width), Int(height))
        }
    }

    /// libjpeg warnings come back as -1 too. Missing data and corrupt entropy-coded data are
    /// faults we refuse; other warnings (stray bytes between markers, odd but decodable
    /// headers) are tolerated because cameras and scanners write them routinely.
    private static func isFatal(_ handle: tjhandle) -> Bool {
        if tjGetErrorCode(handle) == Int32(TJERR_FATAL.rawValue) { return true }
        let message = String(cString: tjGetErrorStr2(handle))
        if message.hasPrefix("Premature end") { return true }
        return message.hasPrefix("Corrupt JPEG data") && !message.contains("extraneous bytes")
    }

    private static func failure(_ handle: tjhandle, name: String, size: Int, reading: String) -> ImageError {
        let message = String(cString: tjGetErrorStr2(handle))
        if message.hasPrefix("Premature end") || message.contains("ended prematurely") {
            return ImageError(.corrupt, "decoding JPEG '\(name)': truncated at byte \(size) (\(message))")
        }
        return ImageError(.corrupt, "decoding JPEG '\(name)': \(reading): \(message)")
    }
}
