import Answering
import AtlasCore
import Foundation
import Testing

/// What the decoder server receives: asserted on the request the stand-in recorded.
@Suite("Decoder request")
struct DecoderRequestTests {
    static func userContent(_ request: JSONValue) -> [JSONValue] {
        request["body"]?["messages"]?.arrayValue?.last?["content"]?.arrayValue ?? []
    }

    static func userText(_ request: JSONValue) -> String {
        userContent(request).first { $0["type"]?.stringValue == "text" }?["text"]?.stringValue ?? ""
    }

    /// A message's text, whether its content is a string or an array of parts.
    static func messageText(_ message: JSONValue) -> String {
        if let text = message["content"]?.stringValue { return text }
        return (message["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
    }

    @Test("the image goes as a data URL of the prepared image, downscaled to the configured side")
    func preparedImage() async throws {
        let sides = Sides()
        let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0] + (0..<40).map { UInt8(255 - $0) })
        let prepare: ImagePayload.Preparation = { data, mime, maxSide in
            sides.record(maxSide, bytes: data.count, mime: mime)
            return ImagePayload(data: jpeg, mimeType: "image/jpeg")
        }
        try await withStandIn(model: "valid-citations", configure: { $0.maxImageSide = 768 }, prepareImage: prepare) {
            standIn, decoder in
            _ = try await decoder.decode(DecoderFixtures.decodeRequest(image: DecoderFixtures.pngBytes, mime: "image/png"))
            let content = Self.userContent(try await standIn.requests()[0])
            #expect(content.map { $0["type"]?.stringValue } == ["image_url", "text"])
            let url = content.first?["image_url"]?["url"]?.stringValue ?? ""
            #expect(url == "data:image/jpeg;base64," + jpeg.base64EncodedString())
            #expect(sides.calls == [Sides.Call(maxSide: 768, bytes: DecoderFixtures.pngBytes.count, mime: "image/png")])
        }
    }

    @Test("without a preparation step the uploaded bytes go as they are, typed by their signature")
    func uploadedImage() async throws {
        try await withStandIn(model: "valid-citations") { standIn, decoder in
            // Labelled JPEG by the caller, but the bytes are PNG: the signature wins.
            _ = try await decoder.decode(DecoderFixtures.decodeRequest(image: DecoderFixtures.pngBytes, mime: "image/jpeg"))
            let content = Self.userContent(try await standIn.requests()[0])
            let url = content.first?["image_url"]?["url"]?.stringValue ?? ""
            #expect(url.hasPrefix("data:image/png;base64,"))
            #expect(Data(base64Encoded: String(url.dropFirst("data:image/png;base64,".count))) == DecoderFixtures.pngBytes)
        }
    }

    @Test("no image: the user message is text only")
    func noImage() async throws {
        try await withStandIn(model: "valid-citations") { standIn, decoder in
            _ = try await decoder.decode(DecoderFixtures.decodeRequest())
            #expect(Self.userContent(try await standIn.requests()[0]).map { $0["type"]?.stringValue } == ["text"])
        }
    }

    @Test("references are numbered in the order of `references`, in the documented layout")
    func referenceOrder() async throws {
        try await withStandIn(model: "valid-citations") { standIn, decoder in
            _ = try await decoder.decode(DecoderFixtures.decodeRequest())
            let text = Self.userText(try await standIn.requests()[0])
            #expect(text.hasPrefix("Question: \(DecoderFixtures.question)\n"))
            var cursor = text.startIndex
            for (index, reference) in DecoderFixtures.references.enumerated() {
                var line = "[\(index + 1)] \(reference.title)"
                if let heading = reference.heading { line += " — \(heading)" }
                line += ": \(reference.text) (\(reference.source))"
                let found = text.range(of: line, range: cursor..<text.endIndex)
                #expect(found != nil, "reference \(index + 1) missing or out of order")
                if let found { cursor = found.upperBound }
            }
            #expect(!text.contains("[4]"))
        }
    }

    @Test("model, sampling options, API key and GLM's no-thinking switch are sent")
    func options() async throws {
        try await withStandIn(
            model: "zai-org/GLM-4.6V-Flash",
            configure: {
                $0.headers = ["X-Standin-Script": "valid-citations"]
                $0.apiKey = "sk-test-123"
                $0.temperature = 0.1
                $0.maxTokens = 300
            }
        ) { standIn, decoder in
            let decoded = try await decoder.decode(DecoderFixtures.decodeRequest())
            #expect(decoded.decoder.model == "zai-org/GLM-4.6V-Flash")
            let request = try await standIn.requests()[0]
            #expect(request["headers"]?["authorization"]?.stringValue == "Bearer sk-test-123")
            #expect(request["headers"]?["accept"]?.stringValue == "text/event-stream")
            let body = request["body"]
            #expect(body?["model"]?.stringValue == "zai-org/GLM-4.6V-Flash")
            #expect(body?["stream"] == .bool(true))
            #expect(body?["temperature"] == .double(0.1))
            #expect(body?["max_tokens"] == .int(300))
            #expect(body?["chat_template_kwargs"]?["enable_thinking"] == .bool(false))
            #expect(body?["messages"]?.arrayValue?.first?["role"]?.stringValue == "system")
            #expect(body?["messages"]?.arrayValue?.first?["content"]?.stringValue == PromptRules.system(.en))
        }
    }

    @Test("extra body is merged last; other models get no GLM switch")
    func extraBody() async throws {
        try await withStandIn(
            model: "valid-citations", stream: false,
            configure: { $0.extraBody = ["top_p": .double(0.5), "temperature": .double(0.9)] }
        ) { standIn, decoder in
            _ = try await decoder.decode(DecoderFixtures.decodeRequest())
            let body = try await standIn.requests()[0]["body"]
            #expect(body?["top_p"] == .double(0.5))
            #expect(body?["temperature"] == .double(0.9))  // extra body overrides ours
            #expect(body?["chat_template_kwargs"] == nil)
            #expect(body?["stream"] == .bool(false))
        }
    }

    @Test("a long conversation is fitted to the token budget, oldest turns dropped first")
    func budgetHolds() async throws {
        let budget = 1500
        let history = (1...30).map { i in
            ConversationTurn(
                question: "Question \(i): what does the duct show about the cells and their nuclei in this region?",
                answer: "Answer \(i): " + String(repeating: "The cells are monotonous and evenly spaced [1]. ", count: 6))
        }
        try await withStandIn(model: "valid-citations", configure: { $0.promptTokenBudget = budget }) { standIn, decoder in
            _ = try await decoder.decode(DecoderFixtures.decodeRequest(history: history))
            let messages = try await standIn.requests()[0]["body"]?["messages"]?.arrayValue ?? []
            let texts = messages.map(Self.messageText)
            let estimator = PromptTokenEstimator()
            let estimated = texts.reduce(0) { $0 + estimator.tokens($1) + estimator.tokensPerMessage }
            #expect(estimated <= budget, "prompt estimated at \(estimated) tokens")

            let roles = messages.map { $0["role"]?.stringValue ?? "" }
            #expect(roles.first == "system" && roles.last == "user")
            let turns = Array(roles.dropFirst().dropLast())
            #expect(turns.count >= 2 && turns.count < 60, "\(turns.count / 2) turns kept")
            #expect(turns == Array(repeating: ["user", "assistant"], count: turns.count / 2).flatMap { $0 })
            // The newest turns are kept, the oldest dropped; earlier answers lose their [n].
            let kept = texts.dropFirst().dropLast()
            #expect(kept.contains { $0.hasPrefix("Question 30:") })
            #expect(!kept.contains { $0.hasPrefix("Question 1:") })
            #expect(kept.last?.hasPrefix("Answer 30:") == true)
            #expect(!kept.contains { $0.contains("[1]") })
            // All references still fit.
            #expect(texts.last?.contains("[3] Usual ductal hyperplasia: ") == true)
        }
    }
}

/// Records the preparation step's calls (it runs on whatever task the decoder runs on).
final class Sides: Sendable {
    struct Call: Hashable, Sendable {
        var maxSide: Int
        var bytes: Int
        var mime: String?
    }

    private let box = LockedCalls()
    func record(_ maxSide: Int, bytes: Int, mime: String?) { box.append(Call(maxSide: maxSide, bytes: bytes, mime: mime)) }
    var calls: [Call] { box.all }

    /// `@unchecked Sendable`: every access goes through the lock.
    final class LockedCalls: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [Call] = []
        func append(_ call: Call) { lock.withLock { list.append(call) } }
        var all: [Call] { lock.withLock { list } }
    }
}
