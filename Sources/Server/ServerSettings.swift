public import Foundation

/// How the service listens and how much work it takes on. Every field has an `ATLASQA_*` variable (see `atlasqa serve`).
public struct ServerSettings: Sendable {
    public var host: String
    /// 0 picks a free port (tests); the bound port is reported through `onListening`.
    public var port: Int
    /// Ask/retrieve jobs that run at once (image decoding, encoders, search, the decoder call).
    public var maxConcurrentJobs: Int
    /// Jobs that may wait for a slot; past this a request gets 503 with `Retry-After`.
    public var maxQueuedJobs: Int
    /// Largest request body accepted (413 past it).
    public var maxBodyBytes: Int
    /// Seconds a client is told to wait in `Retry-After` when the queue is full.
    public var retryAfterSeconds: Int
    /// References retrieved for an answer when the request does not say.
    public var defaultK: Int
    /// Largest `k` a request may ask for.
    public var maxK: Int
    /// Largest `POST /v1/ingest` body (413 past it).
    public var maxIngestBytes: Int
    /// Largest unpacked archive, all its files together (413 past it): archive bombs stop here.
    public var maxUnpackedIngestBytes: Int
    /// Ingest jobs that may wait behind the running one; past this `POST /v1/ingest` gets 503.
    public var maxQueuedIngests: Int
    /// Per-request deadline for ask/retrieve/chat work, queueing included; nil for none. Past it the
    /// client gets 504 `timeout` (or, once retrieval is done, the extractive answer) and the slot is freed.
    public var requestTimeout: Duration?
    /// Where query images are kept (`--keep-images`); nil keeps none, the audit log holding only their SHA-256.
    public var keptImagesFolder: URL?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxConcurrentJobs: Int = 2, maxQueuedJobs: Int = 16,
        maxBodyBytes: Int = 20 * 1024 * 1024, retryAfterSeconds: Int = 2, defaultK: Int = 6, maxK: Int = 50,
        maxIngestBytes: Int = 256 * 1024 * 1024, maxUnpackedIngestBytes: Int = 1024 * 1024 * 1024, maxQueuedIngests: Int = 4,
        requestTimeout: Duration? = .seconds(120), keptImagesFolder: URL? = nil
    ) {
        self.host = host
        self.port = port
        self.maxConcurrentJobs = maxConcurrentJobs
        self.maxQueuedJobs = maxQueuedJobs
        self.maxBodyBytes = maxBodyBytes
        self.retryAfterSeconds = retryAfterSeconds
        self.defaultK = defaultK
        self.maxK = maxK
        self.maxIngestBytes = maxIngestBytes
        self.maxUnpackedIngestBytes = maxUnpackedIngestBytes
        self.maxQueuedIngests = maxQueuedIngests
        self.requestTimeout = requestTimeout
        self.keptImagesFolder = keptImagesFolder
    }

    /// Whether `host` is a loopback address: only there may a server without API keys listen.
    public var isLoopback: Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }
}
