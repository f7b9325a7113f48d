import Foundation

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

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxConcurrentJobs: Int = 2, maxQueuedJobs: Int = 16,
        maxBodyBytes: Int = 20 * 1024 * 1024, retryAfterSeconds: Int = 2, defaultK: Int = 6, maxK: Int = 50
    ) {
        self.host = host
        self.port = port
        self.maxConcurrentJobs = maxConcurrentJobs
        self.maxQueuedJobs = maxQueuedJobs
        self.maxBodyBytes = maxBodyBytes
        self.retryAfterSeconds = retryAfterSeconds
        self.defaultK = defaultK
        self.maxK = maxK
    }

    /// Whether `host` is a loopback address: only there may a server without API keys listen.
    public var isLoopback: Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }
}
