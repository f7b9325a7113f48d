import AtlasCore
import Foundation
import Hummingbird
import NIOCore

/// Reads a request body whole, refusing (413) one larger than the server's limit before reading it
/// when its length is declared, and as soon as it passes the limit otherwise.
func collectBody(_ request: Request, limit: Int) async throws -> Data {
    if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
        throw APIError(status: .contentTooLarge, code: "too_large", message: "the request body (\(declared) bytes) is larger than the limit of \(limit) bytes")
    }
    do {
        let buffer = try await request.body.collect(upTo: limit)
        return Data(buffer.readableBytesView)
    } catch is NIOTooManyBytesError {
        throw APIError(status: .contentTooLarge, code: "too_large", message: "the request body is larger than the limit of \(limit) bytes")
    }
}
