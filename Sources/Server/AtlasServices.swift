public import Answering
public import Retrieval
public import Store
import AtlasCore

/// Everything the routes use, built once by the caller (the CLI's `serve`, or a test) and shared by all requests.
public struct AtlasServices: Sendable {
    /// The index file: atlas, conversations, API keys, audit log.
    public var store: AtlasStore
    public var retriever: Retriever
    /// Writes answers from the retrieved references (decoder, fallback, checks); one per server.
    public var composer: AnswerComposer
    public var settings: ServerSettings
    public let gate: JobGate
    public let metrics: ServerMetrics
    public let readiness: Readiness
    /// `POST /v1/ingest` jobs (refused when no ingester was given).
    let ingestJobs: IngestJobs

    /// - Parameter ingestor: ingests uploaded atlases into `store` (`POST /v1/ingest`); nil refuses ingests.
    public init(
        store: AtlasStore, retriever: Retriever, composer: AnswerComposer, settings: ServerSettings,
        ingestor: (any AtlasIngesting)? = nil
    ) {
        self.store = store
        self.retriever = retriever
        self.composer = composer
        self.settings = settings
        self.gate = JobGate(limit: settings.maxConcurrentJobs, queueLimit: settings.maxQueuedJobs)
        self.metrics = ServerMetrics()
        self.readiness = Readiness()
        self.ingestJobs = IngestJobs(ingestor: ingestor, store: store, queueLimit: settings.maxQueuedIngests)
    }

    /// Retrieval alone, off the cooperative pool (image decoding, encoders and search block a thread).
    func retrieve(_ query: RetrievalQuery) async throws -> RetrievalResult {
        let retriever = self.retriever
        let result = try await offThePool { try retriever.retrieve(query) }
        metrics.observeStages(result.timings)
        return result
    }

    /// The pipeline for one request: retrieval with `k` (the thread's latest questions as context, as
    /// `AskPipeline.retrieveStep` does), reporting its references as soon as they are known — the
    /// stream's first event — then the shared composer with this request's decoder deadline and, when
    /// streaming, the decoder's own deltas forwarded through `onDelta`.
    func askPipeline(
        k: Int, deadline: RequestDeadline? = nil, onDelta: (@Sendable (String) async -> Void)? = nil,
        onReferences: @escaping @Sendable (RetrievedReferences) async -> Void = { _ in }
    ) -> AskPipeline {
        let services = self
        let (composer, _) = requestComposer(deadline: deadline, onDelta: onDelta)
        return AskPipeline(
            retrieve: { request in
                let earlier = request.history.suffix(2).map(\.question).filter { !$0.isEmpty }
                let query = RetrievalQuery(
                    text: request.question, imageData: request.image, imageName: request.imageName, k: k,
                    context: earlier.isEmpty ? nil : earlier.joined(separator: "\n"))
                let retrieved = RetrievedReferences(try await services.retrieve(query))
                await onReferences(retrieved)
                return retrieved
            }, composer: composer)
    }

    /// Whether the configured decoder streams its own text (an OpenAI-compatible model).
    var decoderStreams: Bool { composer.decoder is OpenAIDecoder }

    /// Runs `work` within the request deadline (`settings.requestTimeout`), if there is one.
    func withinDeadline<T: Sendable>(_ deadline: RequestDeadline?, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let deadline else { return try await work() }
        return try await deadline.run(metrics: metrics, work)
    }

}

/// Whether the index is loaded into memory: `/health` says 503 and questions are refused until it is.
public final class Readiness: Sendable {
    private let state = LockedState<(ready: Bool, failure: String?)>((false, nil))
    public init() {}
    public var isReady: Bool { state.withLock { $0.ready } }
    /// Why loading failed, if it did (shown by `/health`).
    public var failure: String? { state.withLock { $0.failure } }
    public func markReady() { state.withLock { $0 = (true, nil) } }
    public func markFailed(_ message: String) { state.withLock { $0 = (false, message) } }
}
