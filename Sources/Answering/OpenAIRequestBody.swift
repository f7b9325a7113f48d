import AtlasCore
import Foundation

/// The JSON body of `POST <base>/chat/completions`: system rules, earlier turns, then one user message
/// whose content is the image (`image_url` with a data URL) and the text with the references.
enum OpenAIRequestBody {
    static func make(prompt: ChatPrompt, image: ImagePayload?, settings: DecoderSettings) -> [String: JSONValue] {
        var messages: [JSONValue] = [.object(["role": .string("system"), "content": .string(prompt.system)])]
        for turn in prompt.history {
            messages.append(.object(["role": .string(turn.role), "content": .string(turn.text)]))
        }
        var content: [JSONValue] = []
        if let image {
            content.append(.object(["type": .string("image_url"), "image_url": .object(["url": .string(image.dataURL)])]))
        }
        content.append(.object(["type": .string("text"), "text": .string(prompt.userText)]))
        messages.append(.object(["role": .string("user"), "content": .array(content)]))

        var body: [String: JSONValue] = [
            "model": .string(settings.model),
            "messages": .array(messages),
            "stream": .bool(settings.stream),
        ]
        if let t = settings.temperature { body["temperature"] = .double(t) }
        if let m = settings.maxTokens { body["max_tokens"] = .int(m) }
        for (key, value) in settings.extraBody { body[key] = value }
        return body
    }

    static func encode(_ body: [String: JSONValue]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(body)
    }
}
