import Answering
import AtlasCore
import Foundation
import Hummingbird
import NIOCore
import Retrieval
import Store

/// `POST /v1/ask` and `POST /v1/retrieve`: a question and/or image in, references (and an answer) out.
struct AskRoutes: Sendable {
    let services: AtlasServices
    var audit: AuditTrail { AuditTrail(store: services.store) }

    func register(on router: RouterGroup<AtlasRequestContext>) {
        router.post("ask") { request, context in try await ask(request, context: context) }
        router.post("retrieve") { request, context in try await retrieve(request, context: context) }
    }

    func readInput(_ request: Request) async throws -> QuestionInput {
        let body = try await collectBody(request, limit: services.settings.maxBodyBytes)
        let contentType = request.headers[.contentType]
        // Decoding megabytes of base64 JSON or multipart is CPU work: keep it off the cooperative pool.
        return try await offThePool { try QuestionInput.parse(body: body, contentType: contentType) }
    }

    func requireReady() throws {
        guard services.readiness.isReady else { throw AtlasError(.busy, "the atlas index is still loading; try again shortly") }
    }

    func k(_ input: QuestionInput) -> Int { min(input.k ?? services.settings.defaultK, services.settings.maxK) }

    func askRequest(_ input: QuestionInput) -> AskRequest {
        AskRequest(
            question: input.question, image: input.image, imageMimeType: input.imageMimeType, imageName: input.imageName,
            conversation: input.conversation)
    }

    func retrieve(_ request: Request, context: AtlasRequestContext) async throws -> Response {
        let caller = try context.requireCaller(.reader)
        let input = try await readInput(request)
        return try await audit.record(route: "/v1/retrieve", caller: caller, question: input.question, image: input.image) {
            try requireReady()
            let query = RetrievalQuery(text: input.question, imageData: input.image, imageName: input.imageName, k: k(input))
            let result = try await services.gate.run { try await services.retrieve(query) }
            let body = RetrieveResponse(references: result.references, support: result.support, language: result.language, timingsMs: result.timings)
            return (JSONBody.response(body), AuditTrail.Outcome(entryIDs: result.references.map(\.entry)))
        }
    }

    func ask(_ request: Request, context: AtlasRequestContext) async throws -> Response {
        let caller = try context.requireCaller(.reader)
        let input = try await readInput(request)
        if input.stream { return try await streamedAnswer(input, caller: caller) }
        return try await audit.record(route: "/v1/ask", caller: caller, question: input.question, image: input.image) {
            try requireReady()
            let answer = try await services.gate.run {
                try await ConversationPipeline(pipeline: services.askPipeline(k: k(input)), store: services.store)
                    .ask(askRequest(input), owner: caller.owner)
            }
            noteDecoder(answer)
            return (JSONBody.response(answer), Self.outcome(answer))
        }
    }

    /// `stream: true`: event `references` when retrieval is done, `delta`s of the checked answer, then `done`
    /// with the whole answer JSON (or `error`). The slot is taken before the response starts, so a full
    /// queue is still a plain 503; the job runs in its own task and always gives its slot back.
    func streamedAnswer(_ input: QuestionInput, caller: Caller) async throws -> Response {
        let trail = audit
        let started = ContinuousClock.now
        do {
            try requireReady()
            try await services.gate.acquire()
        } catch {
            await trail.write(route: "/v1/ask", caller: caller, question: input.question, image: input.image, outcome: .init(),
                        status: Int(APIError.from(error).status.code), started: started)
            throw error
        }
        let (events, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let services = self.services
        let k = self.k(input)
        let request = askRequest(input)
        Task {
            defer { services.gate.release() }
            var outcome = AuditTrail.Outcome()
            var status = 200
            do {
                let pipeline = services.askPipeline(k: k) { retrieved in
                    continuation.yield(ServerSentEvents.event("references", json: JSONBody.data(
                        ReferencesEvent(references: retrieved.references, support: retrieved.support))))
                }
                let answer = try await ConversationPipeline(pipeline: pipeline, store: services.store).ask(request, owner: caller.owner)
                for piece in ServerSentEvents.pieces(of: answer.answer) {
                    continuation.yield(ServerSentEvents.event("delta", json: JSONBody.data(["text": piece])))
                }
                continuation.yield(ServerSentEvents.event("done", json: JSONBody.data(answer)))
                outcome = Self.outcome(answer)
                if answer.decoder.fallback { services.metrics.decoderFellBack() }
            } catch {
                let apiError = APIError.from(error)
                status = Int(apiError.status.code)
                continuation.yield(ServerSentEvents.event("error", json: JSONBody.data(
                    ["error": ["code": apiError.code, "message": apiError.message]])))
            }
            continuation.finish()
            await trail.write(route: "/v1/ask", caller: caller, question: input.question, image: input.image, outcome: outcome,
                        status: status, started: started)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
            body: ResponseBody(asyncSequence: events))
    }

    func noteDecoder(_ answer: Answer) {
        if answer.decoder.fallback { services.metrics.decoderFellBack() }
    }

    static func outcome(_ answer: Answer) -> AuditTrail.Outcome {
        AuditTrail.Outcome(entryIDs: answer.references.map(\.entry), decoder: AuditTrail.decoderLabel(answer.decoder))
    }
}

struct RetrieveResponse: Encodable {
    var references: [Reference]
    var support: Support
    var language: Language
    var timingsMs: Timings

    enum CodingKeys: String, CodingKey {
        case references, support, language
        case timingsMs = "timings_ms"
    }
}

struct ReferencesEvent: Encodable {
    var references: [Reference]
    var support: Support
}
