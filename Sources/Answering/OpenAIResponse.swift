import AtlasCore
import Foundation

/// The parts of a chat-completions response (or one streamed chunk) the client reads. Only `content`
/// is taken; `reasoning_content` (and `reasoning`) are the model's thinking and never shown.
struct OpenAIResponse: Decodable {
    struct Choice: Decodable {
        var message: Message?
        var delta: Message?
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case message, delta
            case finishReason = "finish_reason"
        }
    }

    struct Message: Decodable {
        var content: String?

        enum CodingKeys: String, CodingKey { case content }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let text = try? c.decodeIfPresent(String.self, forKey: .content) {
                content = text
            } else if let parts = try? c.decodeIfPresent([Part].self, forKey: .content) {
                // Some servers return content as parts: [{"type": "text", "text": "…"}].
                content = parts.compactMap(\.text).joined()
            } else {
                content = nil
            }
        }
    }

    struct Part: Decodable {
        var text: String?
    }

    var choices: [Choice]?
    /// An `error` object (or string) some servers send with status 200 or inside a stream.
    var error: JSONValue?

    static func decode(_ data: Data) throws -> OpenAIResponse {
        try JSONDecoder().decode(OpenAIResponse.self, from: data)
    }

    /// The server's own words for an error body: `error.message`, `error` as a string, `detail`, `message`,
    /// or the start of the raw text.
    static func errorMessage(in data: Data) -> String {
        if let json = try? JSONDecoder().decode(JSONValue.self, from: data) {
            if let m = json["error"]?["message"]?.stringValue { return m }
            if let m = json["error"]?.stringValue { return m }
            if let m = json["detail"]?.stringValue { return m }
            if let m = json["message"]?.stringValue { return m }
        }
        let text = String(decoding: data.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "no body" : text
    }

    static func describe(_ error: JSONValue) -> String {
        error["message"]?.stringValue ?? error.stringValue ?? "an error object without a message"
    }
}
