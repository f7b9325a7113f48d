import CTurboJPEG
import Foundation

/// JPEG → 8-bit RGB through TurboJPEG (baseline, progressive, greyscale, CMYK/YCCK), turned
/// upright by its EXIF orientation.
enum JPEGDecoder {
    static func decode(_ data: Data, name: String, limits: ImageLimits) throws -> RGBImage {
        guard let handle = tjInitDecompress() else {
            throw ImageError(.io, "decoding JPEG '\(name)': cannot initialise TurboJPEG")
        }
        defer { tjDestroy(handle) }
        return try data.withUnsafeBytes { raw -> RGBImage in
            let source = raw.bindMemory(to: UInt8.self).baseAddress
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourSpace: Int32 = 0
            guard tjDecompressHeader3(handle, source, UInt(raw.count), &width, &height, &subsampling, &colourSpace) == 0 else {
                throw failure(handle, name: name, size: raw.count, reading: "header")
            }
            try limits.check(width: Int(width), height: Int(height), format: .jpeg, name: name)
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
                pixels = [UInt8](unsafeUninitializedCapacity: count * 3) { buffer, n in
                    status = tjDecompress2(handle, source, UInt(raw.count), buffer.baseAddress, width, 0, height, Int32(TJPF_RGB.rawValue), flags)
                    n = count * 3
                }
            }
            if status != 0, isFatal(handle) {
                throw failure(handle, name: name, size: raw.count, reading: "data")
            }
            return RGBImage(width: Int(width), height: Int(height), pixels: pixels).oriented(ExifOrientation(jpeg: raw))
        }
    }

    /// Width and height as displayed (EXIF orientation applied), from the headers alone.
    static func probe(_ data: Data) -> (width: Int, height: Int)? {
        guard let handle = tjInitDecompress() else { return nil }
        defer { tjDestroy(handle) }
        return data.withUnsafeBytes { raw in
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourSpace: Int32 = 0
            let source = raw.bindMemory(to: UInt8.self).baseAddress
            guard tjDecompressHeader3(handle, source, UInt(raw.count), &width, &height, &subsampling, &colourSpace) == 0 else {
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
