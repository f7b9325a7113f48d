import AtlasCore
import CZlib
import Hummingbird
import Foundation

/// Inflates a gzip file (RFC 1952, one or more members) into another file through zlib, refusing output
/// past `limit` bytes as soon as it is reached — a small upload cannot become a disk-filling bomb.
enum Gunzip {
    /// Whether `data` starts with the gzip magic bytes.
    static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    /// - Returns: the number of bytes written to `output`.
    @discardableResult
    static func inflate(_ input: Data, to output: URL, limit: Int, name: String) throws -> Int {
        // zlib counts input in 32 bits; uploads are far below that (the server's ingest body limit).
        guard input.count < Int(UInt32.max) else {
            throw APIError(status: .contentTooLarge, code: "too_large", message: "unpacking '\(name)': larger than 4 GiB")
        }
        guard FileManager.default.createFile(atPath: output.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: output)
        else {
            throw AtlasError(.internal, "unpacking '\(name)': cannot create the temporary file '\(output.path)'")
        }
        defer { try? handle.close() }
        var stream = z_stream()
        guard atlasqa_inflate_init_gzip(&stream) == Z_OK else {
            throw AtlasError(.internal, "unpacking '\(name)': zlib could not start")
        }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 18
        var buffer = [UInt8](repeating: 0, count: chunk)
        var written = 0
        try input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else {
                throw AtlasError(.badInput, "unpacking '\(name)': the file is empty")
            }
            stream.next_in = UnsafeMutablePointer(mutating: base)
            stream.avail_in = UInt32(raw.count)
            while true {
                let status = buffer.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(chunk)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk - Int(stream.avail_out)
                written += produced
                if written > limit {
                    throw APIError(
                        status: .contentTooLarge, code: "too_large",
                        message: "unpacking '\(name)': it inflates to more than the limit of \(limit) bytes")
                }
                if produced > 0 { try handle.write(contentsOf: buffer[0..<produced]) }
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow (concatenated .gz files are valid gzip).
                    if stream.avail_in > 0, stream.next_in[0] == 0x1f {
                        guard inflateReset(&stream) == Z_OK else {
                            throw AtlasError(.internal, "unpacking '\(name)': zlib could not continue")
                        }
                        continue
                    }
                    return
                case Z_OK where stream.avail_in > 0 || produced > 0:
                    continue
                case Z_OK, Z_BUF_ERROR:
                    throw AtlasError(.badInput, "unpacking '\(name)': the gzip data ends early (truncated upload?)")
                default:
                    let why = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw AtlasError(.badInput, "unpacking '\(name)': it is not valid gzip data (\(why))")
                }
            }
        }
        return written
    }
}
