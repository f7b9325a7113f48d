import Answering
import AtlasCore
import Foundation
import Illustration
import NIOHTTP1
import Store
import Testing
@testable import Server

#if canImport(Glibc)
import Glibc
#endif

/// The per-request deadline, `--keep-images`, and the `/metrics` series operators rely on.
@Suite(.serialized) struct DeadlineAndRecordsTests {
    @Test func aRequestPastTheDeadlineGets504AtOnceAndLeavesTheQueue() async throws {
        var settings = ServerSettings(port: 0, maxConcurrentJobs: 1, maxQueuedJobs: 4)
        settings.requestTimeout = .milliseconds(600)
        let server = try await TestServer.start(settings)
        defer { Task { await server.stop() } }
        // Every slot is taken, so the request waits in the queue until its deadline.
        try await server.services.gate.acquire()
        let started = ContinuousClock.now
        let reply = try await server.postJSON("/v1/retrieve", ["question": "nuclei"])
        let waited = started.duration(to: .now)
        #expect(reply.status == 504, "\(reply.text)")
        let error = try reply.error()
        #expect(error.code == "timeout" && error.message.contains("deadline of 0.6 s"))
        #expect(waited < .seconds(3))
        for _ in 0..<50 where server.services.gate.queued > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.services.gate.queued == 0, "the timed-out request left the queue")
        server.services.gate.release()
        #expect(try await server.postJSON("/v1/retrieve", ["question": "nuclei"]).status == 200)
        #expect(server.services.gate.running == 0, "every slot came back")
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains("atlasqa_request_timeouts_total 1"))
        #expect(metrics.contains(#"atlasqa_http_requests_total{method="POST",route="/v1/retrieve",status="504"} 1"#))
        let audit = try server.services.store.auditRecords()
        #expect(audit.contains { $0.route == "/v1/retrieve" && $0.status == 504 })
    }

    @Test func aSlowDecoderGivesWayToTheExtractiveAnswerWithinTheDeadline() async throws {
        let standIn = try await StandInDecoderProcess.start(wait: 30)
        defer { standIn.stop() }
        let decoder = OpenAIDecoder(settings: DecoderSettings(baseURL: standIn.baseURL, model: "timeout", stream: true))
        var settings = ServerSettings(port: 0)
        settings.requestTimeout = .seconds(2)
        let server = try await TestServer.start(settings, decoder: decoder)
        let started = ContinuousClock.now
        let reply = try await server.postJSON("/v1/ask", ["question": "What features suggest ductal carcinoma in situ?"])
        let took = started.duration(to: .now)
        #expect(reply.status == 200, "\(reply.text)")
        let info = try #require(try reply.json()["decoder"] as? [String: Any])
        #expect(info["kind"] as? String == "extractive" && info["fallback"] as? Bool == true)
        #expect((info["error"] as? String)?.contains("deadline") == true, "\(info)")
        #expect(try (reply.json()["citations"] as? [Any])?.isEmpty == false, "\(reply.text.prefix(600))")
        #expect(took < .seconds(4))
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains("atlasqa_decoder_errors_total 1") && metrics.contains("atlasqa_decoder_fallbacks_total 1"))
        await server.stop()
        try await decoder.shutdown()
    }

    @Test func queryImagesAreKeptOnlyWithKeepImagesAndTheAuditRowSaysWhere() async throws {
        let png = try TestAtlas.queryPNG(.adipose)
        let digest = SHA256.hexDigest(png)

        let plain = try await TestServer.start()
        #expect(try await plain.postJSON("/v1/ask", ["question": "fat cells", "image": png.base64EncodedString()]).status == 200)
        let plainRow = try #require(try plain.services.store.auditRecords().last)
        #expect(plainRow.imageSHA256 == digest && plainRow.imageFile == nil)
        await plain.stop()

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-kept-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = ServerSettings(port: 0)
        settings.keptImagesFolder = folder
        let keeping = try await TestServer.start(settings)
        defer { Task { await keeping.stop() } }
        let (body, type) = TestServer.multipart(fields: [("question", "fat cells")], image: ("field.png", png, "image/png"))
        #expect(try await keeping.request(.POST, "/v1/ask", body: body, contentType: type).status == 200)
        #expect(try await keeping.postJSON("/v1/retrieve", ["image": png.base64EncodedString()]).status == 200)
        let rows = try keeping.services.store.auditRecords().filter { $0.imageSHA256 != nil }
        #expect(rows.count == 2)
        let kept = folder.appendingPathComponent("\(digest).png").path
        #expect(rows.allSatisfy { $0.imageFile == kept })
        #expect(FileManager.default.contents(atPath: kept) == png)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1, "the same image is kept once")
        // Questions without an image keep nothing.
        #expect(try await keeping.postJSON("/v1/retrieve", ["question": "nuclei"]).status == 200)
        #expect(try keeping.services.store.auditRecords().last?.imageFile == nil)
    }

    @Test func metricsCountOpenConnectionsAndCarryTheRequiredSeries() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        _ = try await server.postJSON("/v1/ask", ["question": "nuclei"])
        let before = server.services.metrics.openConnections

        // An idle client connection, opened and closed by hand.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        for _ in 0..<100 where server.services.metrics.openConnections <= before { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.services.metrics.openConnections == before + 1)
        let text = try await server.get("/metrics").text
        let open = try #require(text.split(separator: "\n").first { $0.hasPrefix("atlasqa_http_connections_open ") })
        #expect((Int(open.split(separator: " ")[1]) ?? 0) >= 1)
        close(fd)
        for _ in 0..<100 where server.services.metrics.openConnections > before { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.services.metrics.openConnections == before)

        for series in [
            #"atlasqa_http_requests_total{method="POST",route="/v1/ask",status="200"}"#,
            #"atlasqa_http_request_duration_seconds_bucket{route="/v1/ask",le="+Inf"}"#,
            #"atlasqa_stage_duration_seconds_bucket{stage="total",le="+Inf"}"#,
            "atlasqa_queue_depth ", "atlasqa_jobs_running ", "atlasqa_decoder_errors_total ", "atlasqa_decoder_fallbacks_total ",
            #"atlasqa_index_items{kind="entries"} "#, "process_resident_memory_bytes ", "atlasqa_http_connections_open ",
            "atlasqa_http_connections_accepted_total ", "atlasqa_request_timeouts_total ", "atlasqa_ingest_queue_depth ",
        ] {
            #expect(text.contains(series), "\(series) is missing from /metrics")
        }
    }
}
