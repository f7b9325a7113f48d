import AtlasCore
import Foundation
import Hummingbird
import NIOCore

/// Writes a large request body (an uploaded atlas) to a temporary file as it arrives, refusing (413) past
/// the limit, so an upload costs disk rather than memory; the file is then read memory-mapped.
/// Writes are batched (4 MiB) and done off the cooperative pool.
final class UploadSpool: @unchecked Sendable {
    // `@unchecked Sendable`: the handle is used by one request's task at a time (each write is awaited
    // before the next body chunk is read), and closed once in `close()`.
    let url: URL
    private let handle: FileHandle

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-upload-\(UUID().uuidString.lowercased()).part")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw AtlasError(.internal, "receiving the upload: cannot create the temporary file '\(url.path)'")
        }
        handle = try FileHandle(forWritingTo: url)
    }

    /// Streams `request`'s body into the file; returns its bytes, memory-mapped.
    func receive(_ request: Request, limit: Int) async throws -> Data {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError(status: .contentTooLarge, code: "too_large", message: "the upload (\(declared) bytes) is larger than the limit of \(limit) bytes")
        }
        var pending = Data()
        var total = 0
        for try await buffer in request.body {
            total += buffer.readableBytes
            if total > limit {
                throw APIError(status: .contentTooLarge, code: "too_large", message: "the upload is larger than the limit of \(limit) bytes")
            }
            pending.append(contentsOf: buffer.readableBytesView)
            if pending.count >= 4 << 20 {
                try await write(pending)
                pending = Data()
            }
        }
        if !pending.isEmpty { try await write(pending) }
        return try Data(contentsOf: url, options: .alwaysMapped)
    }

    private func write(_ data: Data) async throws {
        try await offThePool { try self.handle.write(contentsOf: data) }
    }

    /// Closes and removes the file (mapped bytes stay readable until released).
    func close() {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }
}
