import Foundation
import NIOHTTP1
import Testing
@testable import Server

@Suite(.serialized) struct BackpressureTests {
    /// With every slot taken and the queue full, a question is refused at once with 503 + Retry-After,
    /// while /health and /metrics still answer; when the work drains, questions are answered again.
    @Test func aFloodedQueueGets503WithRetryAfterAndHealthStillAnswers() async throws {
        var settings = ServerSettings(port: 0)
        settings.maxConcurrentJobs = 1
        settings.maxQueuedJobs = 2
        settings.retryAfterSeconds = 3
        let server = try await TestServer.start(settings)
        defer { Task { await server.stop() } }
        let gate = server.services.gate

        // Hold the one slot, and fill the queue with real requests through the socket.
        let latch = JobGateTests.Latch()
        let holder = Task { try await gate.run { await latch.wait() } }
        while gate.running < 1 { try await Task.sleep(for: .milliseconds(2)) }
        let queued = (0..<2).map { _ in Task { try await server.postJSON("/v1/retrieve", ["question": "nuclei"]) } }
        let deadline = ContinuousClock.now + .seconds(20)
        while gate.queued < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(gate.queued == 2)

        let refused = try await server.postJSON("/v1/ask", ["question": "nuclei"])
        #expect(refused.status == 503)
        #expect(refused.headers.first(name: "Retry-After") == "3")
        #expect(try refused.error().code == "busy")
        let refusedStream = try await server.postJSON("/v1/ask", ["question": "nuclei", "stream": true])
        #expect(refusedStream.status == 503)

        let health = try await server.get("/health")
        #expect(health.status == 200)
        let jobs = try #require(try health.json()["jobs"] as? [String: Int])
        #expect(jobs["queued"] == 2 && jobs["running"] == 1)
        let metrics = try await server.get("/metrics")
        #expect(metrics.text.contains("atlasqa_queue_depth 2"))
        #expect(metrics.text.contains(#"route="/v1/ask",status="503""#))

        latch.open()
        try await holder.value
        for q in queued { #expect(try await q.value.status == 200) }
        #expect(try await server.postJSON("/v1/ask", ["question": "nuclei"]).status == 200)
    }
}
