import AtlasCore
import Foundation
import Hummingbird
import Store

/// `/health`, `/metrics`, `/openapi.json`: never queued behind ask/retrieve work, never authenticated.
struct OperationsRoutes: Sendable {
    let services: AtlasServices

    func register(on router: Router<AtlasRequestContext>) {
        router.get("health") { _, _ in try health() }
        router.get("metrics") { _, _ in metrics() }
        router.get("openapi.json") { _, _ in
            JSONBody.text(OpenAPIDocument.json, contentType: "application/json; charset=utf-8")
        }
    }

    struct Health: Encodable {
        var status: String
        var counts: AtlasCounts?
        var encoders: [String]?
        var jobs: [String: Int]
        var error: String?
    }

    func health() throws -> Response {
        let jobs = ["running": services.gate.running, "queued": services.gate.queued, "limit": services.gate.limit,
                    "queue_limit": services.gate.queueLimit]
        guard services.readiness.isReady else {
            var response = JSONBody.response(
                Health(status: "loading", jobs: jobs, error: services.readiness.failure), status: .serviceUnavailable)
            response.headers[.retryAfter] = "1"
            return response
        }
        let counts = try services.store.counts()
        let encoders = try services.store.encoders().map(\.id)
        return JSONBody.response(Health(status: "ok", counts: counts, encoders: encoders, jobs: jobs))
    }

    func metrics() -> Response {
        let counts = try? services.store.counts()
        let text = services.metrics.render(
            ServerMetrics.Gauges(
                queued: services.gate.queued, running: services.gate.running, entries: counts?.entries,
                passages: counts?.passages, images: counts?.images, vectors: counts?.vectors,
                residentBytes: ProcessMemory.residentBytes(), ingestRunning: services.ingestJobs.running,
                ingestQueued: services.ingestJobs.queued))
        return JSONBody.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
