/// Why the OpenAI-compatible decoder gave no answer. Its description is what users see in
/// `decoder.error` after the fallback, so it says what was being done and what failed.
public struct OpenAIDecoderError: Error, Sendable, CustomStringConvertible, Hashable {
    public enum Code: String, Sendable, Hashable {
        /// Nothing listening, DNS failure, connect timeout, TLS failure.
        case unreachable
        /// A non-2xx status.
        case httpStatus
        /// The whole-answer deadline passed.
        case timeout
        /// A streamed answer went silent for longer than the idle timeout.
        case stalled
        /// The connection broke or the stream ended before the answer was complete.
        case interrupted
        /// The body was not the chat-completions JSON (or SSE) it should be.
        case malformed
        /// The model wrote nothing users could see.
        case empty
        /// The server refused to answer (`finish_reason: "sensitive"`, an `error` object).
        case refused
        /// The image could not be prepared for sending.
        case image
    }

    public var code: Code
    public var message: String
    /// The endpoint that was asked.
    public var endpoint: String
    public var status: Int?

    public init(_ code: Code, _ message: String, endpoint: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.endpoint = endpoint
        self.status = status
    }

    public var description: String { "decoder \(endpoint): \(message)" }
}
