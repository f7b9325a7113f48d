import CPNG
import Foundation

/// PNG → 8-bit RGB through libpng. The longjmp-based error path stays inside the C shim
/// (`atlas_png_read_header` / `atlas_png_read_rgb`); here we only see return codes.
enum PNGDecoder {
    static func decode(_ data: Data, name: String, limits: ImageLimits) throws -> RGBImage {
        let reader = UnsafeMutablePointer<atlas_png_reader>.allocate(capacity: 1)
        reader.initialize(to: atlas_png_reader())
        defer {
            atlas_png_reader_destroy(reader)
            reader.deallocate()
        }
        return try data.withUnsafeBytes { raw -> RGBImage in
            // The reader keeps a pointer into `raw`: both C calls happen inside this closure.
            let header = atlas_png_read_header(reader, raw.baseAddress, raw.count)
            guard header == Int32(ATLAS_PNG_OK) else { throw error(header, reader, name: name) }
            let width = Int(reader.pointee.width)
            let height = Int(reader.pointee.height)
            try limits.check(width: width, height: height, format: .png, name: name)
            var status = Int32(ATLAS_PNG_OK)
            let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
                status = atlas_png_read_rgb(reader, buffer.baseAddress)
                count = status == Int32(ATLAS_PNG_OK) ? width * height * 3 : 0
            }
            guard status == Int32(ATLAS_PNG_OK) else { throw error(status, reader, name: name) }
            return RGBImage(width: width, height: height, pixels: pixels)
        }
    }

    /// Width and height from the IHDR chunk, which the PNG specification places first.
    static func probe(_ data: Data) -> (width: Int, height: Int)? {
        guard data.count >= 24 else { return nil }
        let bytes = Array(data.prefix(24))
        guard bytes[12..<16].elementsEqual(Array("IHDR".utf8)) else { return nil }
        func u32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (u32(16), u32(20))
    }

    private static func error(_ status: Int32, _ reader: UnsafeMutablePointer<atlas_png_reader>, name: String) -> ImageError {
        let message = withUnsafeBytes(of: &reader.pointee.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let code: ImageError.Code = status == Int32(ATLAS_PNG_NOMEM) ? .tooLarge : .corrupt
        return ImageError(code, "decoding PNG '\(name)': \(message)")
    }
}
