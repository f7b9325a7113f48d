/// An error a user can act on: what failed, where, and why. Mapped to exit codes and HTTP statuses at the edge.
public struct AtlasError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case badInput = "bad_input"
        case notFound = "not_found"
        case unsupportedImage = "unsupported_image"
        case imageTooLarge = "image_too_large"
        case corruptImage = "corrupt_image"
        case atlasFormat = "atlas_format"
        case storage
        case encoder
        case decoder
        case timeout
        case busy
        case unauthorized
        case forbidden
        case `internal`
    }

    public var code: Code
    /// "decoding PNG 'x.png': CRC error in IDAT chunk" — says what was being done and what went wrong.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
