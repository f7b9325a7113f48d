import AtlasCore
import Foundation

/// Counters and histograms for `/metrics`, in Prometheus text format. One lock guards them all;
/// every update is a few dictionary operations.
public final class ServerMetrics: Sendable {
    /// Upper bounds in seconds (Prometheus convention), from 5 ms to 60 s.
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    struct Histogram {
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var total = 0

        mutating func observe(_ seconds: Double) {
            for (i, bound) in ServerMetrics.buckets.enumerated() where seconds <= bound { counts[i] += 1 }
            sum += seconds
            total += 1
        }
    }

    struct State {
        var requests: [RequestKey: Int] = [:]
        var requestSeconds: [String: Histogram] = [:]
        var stageSeconds: [String: Histogram] = [:]
        var decoderFallbacks = 0
        var decoderErrors = 0
        var timeouts = 0
        var inFlight = 0
        var connectionsOpen = 0
        var connectionsAccepted = 0
    }

    struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private let state = LockedState(State())

    public init() {}

    func requestStarted() { state.withLock { $0.inFlight += 1 } }

    func requestFinished(method: String, route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.inFlight -= 1
            s.requests[RequestKey(method: method, route: route, status: status), default: 0] += 1
            s.requestSeconds[route, default: Histogram()].observe(seconds)
        }
    }

    /// Stage timings of an answer or a retrieval (`image`, `text`, `retrieve`, `decode`, `total`), in ms.
    func observeStages(_ timings: [String: Double]) {
        state.withLock { s in
            for (stage, ms) in timings { s.stageSeconds[stage, default: Histogram()].observe(ms / 1000) }
        }
    }

    func decoderFellBack() { state.withLock { $0.decoderFallbacks += 1 } }

    /// An answer's own stages (retrieval's are observed when it runs): `decode` and `total`, and whether
    /// the decoder fell back.
    func observeAnswer(decodeMs: Double?, totalMs: Double?, fellBack: Bool) {
        var stages: [String: Double] = [:]
        if let decodeMs { stages["decode"] = decodeMs }
        if let totalMs { stages["total"] = totalMs }
        observeStages(stages)
        if fellBack { decoderFellBack() }
    }
    /// The configured (non-extractive) decoder failed or missed its deadline.
    func decoderFailed() { state.withLock { $0.decoderErrors += 1 } }
    func requestTimedOut() { state.withLock { $0.timeouts += 1 } }
    func connectionOpened() {
        state.withLock { s in
            s.connectionsOpen += 1
            s.connectionsAccepted += 1
        }
    }
    func connectionClosed() { state.withLock { $0.connectionsOpen -= 1 } }
    /// Connections open now (tests).
    var openConnections: Int { state.withLock { $0.connectionsOpen } }

    struct Gauges {
        var queued: Int
        var running: Int
        var entries: Int?
        var passages: Int?
        var images: Int?
        var vectors: Int?
        var residentBytes: Int?
        var ingestRunning = 0
        var ingestQueued = 0
    }

    func render(_ gauges: Gauges) -> String {
        let s = state.withLock { $0 }
        var out = ""
        func line(_ text: String) { out += text + "\n" }
        line("# HELP atlasqa_http_requests_total HTTP requests by route and status.")
        line("# TYPE atlasqa_http_requests_total counter")
        for (key, count) in s.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            line("atlasqa_http_requests_total{method=\"\(key.method)\",route=\"\(escape(key.route))\",status=\"\(key.status)\"} \(count)")
        }
        histogram(&out, name: "atlasqa_http_request_duration_seconds", help: "Time to the response head, by route.", label: "route", s.requestSeconds)
        histogram(&out, name: "atlasqa_stage_duration_seconds", help: "Answer and retrieval stages (image, text, retrieve, decode, total).", label: "stage", s.stageSeconds)
        line("# HELP atlasqa_decoder_fallbacks_total Answers where the configured decoder failed and the extractive one answered.")
        line("# TYPE atlasqa_decoder_fallbacks_total counter")
        line("atlasqa_decoder_fallbacks_total \(s.decoderFallbacks)")
        line("# HELP atlasqa_decoder_errors_total Calls to the configured decoder that failed (unreachable, HTTP error, malformed, deadline).")
        line("# TYPE atlasqa_decoder_errors_total counter")
        line("atlasqa_decoder_errors_total \(s.decoderErrors)")
        line("# HELP atlasqa_request_timeouts_total Requests cut off by the per-request deadline (504).")
        line("# TYPE atlasqa_request_timeouts_total counter")
        line("atlasqa_request_timeouts_total \(s.timeouts)")
        line("# HELP atlasqa_http_connections_accepted_total TCP connections accepted.")
        line("# TYPE atlasqa_http_connections_accepted_total counter")
        line("atlasqa_http_connections_accepted_total \(s.connectionsAccepted)")
        gauge(&out, "atlasqa_http_connections_open", "TCP connections open now.", s.connectionsOpen)
        gauge(&out, "atlasqa_http_requests_in_flight", "Requests being handled now.", s.inFlight)
        gauge(&out, "atlasqa_jobs_running", "Ask/retrieve jobs running.", gauges.running)
        gauge(&out, "atlasqa_queue_depth", "Ask/retrieve jobs waiting for a slot.", gauges.queued)
        gauge(&out, "atlasqa_ingest_jobs_running", "Ingest jobs running (at most one).", gauges.ingestRunning)
        gauge(&out, "atlasqa_ingest_queue_depth", "Ingest jobs waiting.", gauges.ingestQueued)
        line("# HELP atlasqa_index_items Items in the atlas index.")
        line("# TYPE atlasqa_index_items gauge")
        for (kind, value) in [("entries", gauges.entries), ("passages", gauges.passages), ("images", gauges.images), ("vectors", gauges.vectors)] {
            if let value { line("atlasqa_index_items{kind=\"\(kind)\"} \(value)") }
        }
        if let rss = gauges.residentBytes {
            gauge(&out, "process_resident_memory_bytes", "Resident memory of this process.", rss)
        }
        return out
    }

    private func gauge(_ out: inout String, _ name: String, _ help: String, _ value: Int) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value)\n"
    }

    private func histogram(_ out: inout String, name: String, help: String, label: String, _ values: [String: Histogram]) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (key, h) in values.sorted(by: { $0.key < $1.key }) {
            let l = "\(label)=\"\(escape(key))\""
            for (i, bound) in Self.buckets.enumerated() {
                out += "\(name)_bucket{\(l),le=\"\(bound)\"} \(h.counts[i])\n"
            }
            out += "\(name)_bucket{\(l),le=\"+Inf\"} \(h.total)\n"
            out += "\(name)_sum{\(l)} \(h.sum)\n\(name)_count{\(l)} \(h.total)\n"
        }
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Resident memory from `/proc/self/statm` (Linux); nil elsewhere.
enum ProcessMemory {
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
