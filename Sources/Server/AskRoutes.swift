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
    var audit: AuditTrail { AuditTrail(services) }

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
        let deadline = RequestDeadline(services.settings.requestTimeout)
        let input = try await readInput(request)
        return try await audit.record(route: "/v1/retrieve", caller: caller, question: input.question, image: input.image) {
            try requireReady()
            let query = RetrievalQuery(text: input.question, imageData: input.image, imageName: input.imageName, k: k(input))
            let services = self.services
            let result = try await services.withinDeadline(deadline) { try await services.gate.run { try await services.retrieve(query) } }
            let body = RetrieveResponse(references: result.references, support: result.support, language: result.language, timingsMs: result.timings)
            return (JSONBody.response(body), AuditTrail.Outcome(entryIDs: result.references.map(\.entry)))
        }
    }

    func ask(_ request: Request, context: AtlasRequestContext) async throws -> Response {
        let caller = try context.requireCaller(.reader)
        let deadline = RequestDeadline(services.settings.requestTimeout)
        let input = try await readInput(request)
        if input.stream { return try await streamedAnswer(input, caller: caller, deadline: deadline) }
        return try await audit.record(route: "/v1/ask", caller: caller, question: input.question, image: input.image) {
            try requireReady()
            let services = self.services
            let pipeline = services.askPipeline(k: k(input), deadline: deadline)
            let asked = askRequest(input)
            let answer = try await services.withinDeadline(deadline) {
                try await services.gate.run {
                    try await ConversationPipeline(pipeline: pipeline, store: services.store).ask(asked, owner: caller.owner)
                }
            }
            noteDecoder(answer)
            return (JSONBody.response(answer), Self.outcome(answer))
        }
    }

    /// `stream: true`: event `references` when retrieval is done, then `delta`s — the decoder's own text as
    /// it arrives when an OpenAI-compatible model answers, else pieces of the extractive answer — then `done`
    /// with the whole checked answer JSON (or `error`). `done` is authoritative: the checks may drop a
    /// citation or soften a phrase the deltas showed, and if the model fails part-way a `reset` event says
    /// to discard the text so far before the extractive answer's deltas. The slot is taken before the
    /// response starts, so a full queue is still a plain 503; the job runs in its own task, within the
    /// request deadline, and always gives its slot back.
    func streamedAnswer(_ input: QuestionInput, caller: Caller, deadline: RequestDeadline?) async throws -> Response {
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
        let streamed = StreamedText()
        Task {
            var outcome = AuditTrail.Outcome()
            var status = 200
            do {
                let answer = try await services.withinDeadline(deadline) {
                    defer { services.gate.release() }
                    let pipeline = services.askPipeline(
                        k: k, deadline: deadline,
                        onDelta: { piece in
                            streamed.add(piece)
                            continuation.yield(ServerSentEvents.event("delta", json: JSONBody.data(["text": piece])))
                        },
                        onReferences: { retrieved in
                            continuation.yield(ServerSentEvents.event("references", json: JSONBody.data(
                                ReferencesEvent(references: retrieved.references, support: retrieved.support))))
                        })
                    return try await ConversationPipeline(pipeline: pipeline, store: services.store).ask(request, owner: caller.owner)
                }
                // The model's text already went out unless it failed (or was never asked): then the answer
                // written instead goes out in pieces, after a reset when some model text was shown.
                if !services.decoderStreams || answer.decoder.kind != .openai {
                    if streamed.hasText { continuation.yield(ServerSentEvents.event("reset", json: JSONBody.data(["reason": answer.decoder.error ?? "the decoder's answer was replaced"]))) }
                    for piece in ServerSentEvents.pieces(of: answer.answer) {
                        continuation.yield(ServerSentEvents.event("delta", json: JSONBody.data(["text": piece])))
                    }
                }
                continuation.yield(ServerSentEvents.event("done", json: JSONBody.data(answer)))
                outcome = Self.outcome(answer)
                AskRoutes.note(answer, metrics: services.metrics)
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

    func noteDecoder(_ answer: Answer) { Self.note(answer, metrics: services.metrics) }

    static func note(_ answer: Answer, metrics: ServerMetrics) {
        metrics.observeAnswer(decodeMs: answer.timingsMs["decode"], totalMs: answer.timingsMs["total"], fellBack: answer.decoder.fallback)
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

/// Whether any decoder text went out on a stream (a later fallback then needs a `reset`).
final class StreamedText: Sendable {
    private let state = LockedState("")
    func add(_ piece: String) { state.withLock { $0 += piece } }
    var hasText: Bool { state.withLock { !$0.isEmpty } }
    var text: String { state.withLock { $0 } }
}

struct ReferencesEvent: Encodable {
    var references: [Reference]
    var support: Support
}
