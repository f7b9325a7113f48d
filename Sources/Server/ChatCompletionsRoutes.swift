import Answering
import AtlasCore
import Foundation
import Hummingbird
import NIOCore
import Store

/// `POST /v1/chat/completions`, OpenAI-compatible, so chat front ends and OpenAI's SDKs can use AtlasQA
/// as a grounded model: the last user message's text is the question and its `image_url` (a data URL)
/// the image; earlier user/assistant pairs are the conversation. The answer is `choices[0].message.content`
/// and the references ride along in a top-level `references` field (and in the last streamed chunk).
struct ChatCompletionsRoutes: Sendable {
    let services: AtlasServices
    static let modelName = "atlasqa"

    func register(on router: RouterGroup<AtlasRequestContext>) {
        router.post("chat/completions") { request, context in try await complete(request, context: context) }
        router.get("models") { _, context in
            _ = try context.requireCaller(.reader)
            return JSONBody.response(ModelList(data: [.init(id: Self.modelName, object: "model", created: 0, owned_by: "atlasqa")]))
        }
    }

    struct ModelList: Encodable {
        struct Model: Encodable {
            var id: String
            var object: String
            var created: Int
            var owned_by: String
        }
        var object = "list"
        var data: [Model]
    }

    func complete(_ request: Request, context: AtlasRequestContext) async throws -> Response {
        let caller = try context.requireCaller(.reader)
        let body = try await collectBody(request, limit: services.settings.maxBodyBytes)
        // Decoding a large data-URL image is CPU work: keep it off the cooperative pool.
        let (chat, ask) = try await offThePool {
            let chat = try ChatRequest.parse(body)
            return (chat, try chat.askRequest())
        }
        let routes = AskRoutes(services: services)
        let audit = AuditTrail(services)
        let id = "chatcmpl-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let created = Int(Date().timeIntervalSince1970)
        let model = chat.model ?? Self.modelName
        let k = min(services.settings.defaultK, services.settings.maxK)

        let deadline = RequestDeadline(services.settings.requestTimeout)
        if chat.stream ?? false {
            let started = ContinuousClock.now
            do {
                try routes.requireReady()
                try await services.acquireSlot(within: deadline)
            } catch {
                await audit.write(route: "/v1/chat/completions", caller: caller, question: ask.question, image: ask.image,
                            outcome: .init(), status: Int(APIError.from(error).status.code), started: started)
                throw error
            }
            let (events, continuation) = AsyncStream<ByteBuffer>.makeStream()
            let services = self.services
            let streamed = StreamedText()
            @Sendable func chunk(_ delta: [String: String], finish: String?, answer: Answer? = nil) -> ByteBuffer {
                let c = ChatChunk(
                    id: id, created: created, model: model,
                    choices: [.init(index: 0, delta: delta, finish_reason: finish)], references: answer?.references,
                    support: answer?.support, citations: answer?.citations, answer: answer?.answer, decoder: answer?.decoder)
                return ServerSentEvents.data(String(decoding: JSONBody.data(c), as: UTF8.self))
            }
            Task {
                var outcome = AuditTrail.Outcome()
                var status = 200
                continuation.yield(chunk(["role": "assistant", "content": ""], finish: nil))
                do {
                    // The model's deltas go out as they arrive; the last chunk carries the checked answer
                    // (`answer`), its references, citations and support.
                    let answer = try await services.withinDeadline(deadline) {
                        defer { services.gate.release() }
                        return try await services.askPipeline(k: k, deadline: deadline, onDelta: { piece in
                            streamed.add(piece)
                            continuation.yield(chunk(["content": piece], finish: nil))
                        }).ask(ask)
                    }
                    if answer.decoder.kind != .openai || !streamed.hasText {
                        // OpenAI's stream has no way to take text back: after a failed model, say so and add the
                        // extractive answer.
                        let brokeOff = "\n\n(The model's answer broke off; the answer from the atlas passages follows.)\n\n"
                        let text = (streamed.hasText ? brokeOff : "") + Self.content(of: answer)
                        for piece in ServerSentEvents.pieces(of: text) { continuation.yield(chunk(["content": piece], finish: nil)) }
                    }
                    continuation.yield(chunk([:], finish: "stop", answer: answer))
                    outcome = AskRoutes.outcome(answer)
                    AskRoutes.note(answer, metrics: services.metrics)
                } catch {
                    let apiError = APIError.from(error)
                    status = Int(apiError.status.code)
                    continuation.yield(ServerSentEvents.data(String(decoding: JSONBody.data(
                        ["error": ["code": apiError.code, "message": apiError.message]]), as: UTF8.self)))
                }
                continuation.yield(ServerSentEvents.data("[DONE]"))
                continuation.finish()
                await audit.write(route: "/v1/chat/completions", caller: caller, question: ask.question, image: ask.image,
                            outcome: outcome, status: status, started: started)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
                body: ResponseBody(asyncSequence: events))
        }

        return try await audit.record(route: "/v1/chat/completions", caller: caller, question: ask.question, image: ask.image) {
            try routes.requireReady()
            let services = self.services
            let answer = try await services.withinDeadline(deadline) {
                try await services.gate.run { try await services.askPipeline(k: k, deadline: deadline).ask(ask) }
            }
            routes.noteDecoder(answer)
            let completion = ChatCompletion(
                id: id, created: created, model: model,
                choices: [.init(index: 0, message: .init(role: "assistant", content: Self.content(of: answer)), finish_reason: "stop")],
                usage: .init(), references: answer.references, support: answer.support, citations: answer.citations,
                decoder: answer.decoder)
            return (JSONBody.response(completion), AskRoutes.outcome(answer))
        }
    }
}

extension ChatCompletionsRoutes {
    /// What a chat front end shows: the answer, and — when the configured decoder failed — the note saying
    /// so (chat clients show only the content, not the `decoder` field beside it).
    static func content(of answer: Answer) -> String {
        guard let note = AnswerRenderer.fallbackNote(of: answer) else { return answer.answer }
        return answer.answer + "\n\n" + note
    }
}

/// The subset of OpenAI's chat request that matters here; unknown fields (temperature, …) are ignored.
struct ChatRequest: Decodable, Sendable {
    struct Message: Decodable, Sendable {
        var role: String
        var content: Content?
    }

    /// A string, or an array of `{"type": "text", "text"}` / `{"type": "image_url", "image_url": {"url"}}` parts.
    enum Content: Decodable, Sendable {
        case text(String)
        case parts([Part])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                self = .text(s)
            } else {
                self = .parts(try c.decode([Part].self))
            }
        }

        var text: String {
            switch self {
            case .text(let s): s
            case .parts(let parts): parts.compactMap(\.text).joined(separator: "\n")
            }
        }

        var imageURL: String? {
            guard case .parts(let parts) = self else { return nil }
            return parts.compactMap(\.imageURL).last
        }
    }

    struct Part: Decodable, Sendable {
        var type: String
        var text: String?
        var imageURL: String?

        enum CodingKeys: String, CodingKey {
            case type, text
            case imageURL = "image_url"
        }

        struct URLObject: Decodable { var url: String }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decode(String.self, forKey: .type)
            text = try c.decodeIfPresent(String.self, forKey: .text)
            // Absent or null is no image; anything else must be one of the two shapes, not silently dropped.
            guard c.contains(.imageURL), try !c.decodeNil(forKey: .imageURL) else { return }
            if let object = try? c.decode(URLObject.self, forKey: .imageURL) {
                imageURL = object.url
            } else if let string = try? c.decode(String.self, forKey: .imageURL) {
                imageURL = string
            } else {
                throw DecodingError.dataCorruptedError(
                    forKey: .imageURL, in: c, debugDescription: "image_url is neither a data URL nor an object with a url")
            }
        }
    }

    var model: String?
    var messages: [Message]
    var stream: Bool?

    static func parse(_ body: Data) throws -> ChatRequest {
        do {
            return try JSONDecoder().decode(ChatRequest.self, from: body)
        } catch {
            throw AtlasError(.badInput, "reading the chat request: \(JSONProblem.describe(error))")
        }
    }

    /// The last user message as the question; earlier user→assistant pairs as history.
    func askRequest() throws -> AskRequest {
        guard let lastUser = messages.lastIndex(where: { $0.role == "user" }), let content = messages[lastUser].content else {
            throw AtlasError(.badInput, "reading the chat request: there is no user message")
        }
        var image: (data: Data, mimeType: String?)?
        if let url = content.imageURL {
            guard url.hasPrefix("data:") else {
                throw AtlasError(.badInput, "reading the chat request: image_url must be a data URL (this server fetches nothing from the network)")
            }
            image = try ImageDataURL.decode(url)
        }
        let question = content.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty || image != nil else {
            throw AtlasError(.badInput, "reading the chat request: the last user message has neither text nor an image")
        }
        try QuestionInput.checkLength(question, "reading the chat request")
        var history: [ConversationTurn] = []
        var pending: String?
        for message in messages[..<lastUser] {
            switch message.role {
            case "user": pending = message.content?.text
            case "assistant":
                if let q = pending { history.append(ConversationTurn(question: q, answer: message.content?.text ?? "")) }
                pending = nil
            default: break
            }
        }
        return AskRequest(question: question, image: image?.data, imageMimeType: image?.mimeType, history: history)
    }
}

struct ChatCompletion: Encodable {
    struct Choice: Encodable {
        var index: Int
        var message: Message
        var finish_reason: String
    }

    struct Message: Encodable {
        var role: String
        var content: String
    }

    struct Usage: Encodable {
        var prompt_tokens = 0
        var completion_tokens = 0
        var total_tokens = 0
    }

    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: Usage
    var references: [Reference]
    var support: Support
    var citations: [Citation]
    /// Which decoder wrote the answer, and why the configured one did not if it fell back.
    var decoder: DecoderInfo

    init(
        id: String, created: Int, model: String, choices: [Choice], usage: Usage, references: [Reference], support: Support,
        citations: [Citation], decoder: DecoderInfo
    ) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.references = references
        self.support = support
        self.citations = citations
        self.decoder = decoder
    }
}

struct ChatChunk: Encodable {
    struct Choice: Encodable {
        var index: Int
        var delta: [String: String]
        var finish_reason: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encode(finish_reason, forKey: .finish_reason)  // null, not absent, as OpenAI sends it
        }

        enum CodingKeys: String, CodingKey { case index, delta, finish_reason }
    }

    var id: String
    var object = "chat.completion.chunk"
    var created: Int
    var model: String
    var choices: [Choice]
    /// On the last chunk only: what a non-streamed completion carries beside the message, and the checked
    /// answer text (the deltas are the model's words as written; the checks may have changed a citation).
    var references: [Reference]?
    var support: Support?
    var citations: [Citation]?
    var answer: String?
    /// On the last chunk only, beside `references`.
    var decoder: DecoderInfo?

    init(
        id: String, created: Int, model: String, choices: [Choice], references: [Reference]?, support: Support? = nil,
        citations: [Citation]? = nil, answer: String? = nil, decoder: DecoderInfo? = nil
    ) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.references = references
        self.support = support
        self.citations = citations
        self.answer = answer
        self.decoder = decoder
    }
}
