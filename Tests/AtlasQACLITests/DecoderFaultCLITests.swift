import Foundation
import Illustration
import Testing

/// A misbehaving decoder server behind `atlasqa ask --decoder-url` and behind an `atlasqa serve` process:
/// the answer comes anyway (extractive), within the configured deadline, saying why; the server process
/// keeps no connection to the decoder open afterwards.
@Suite struct DecoderFaultCLITests {
    /// 1 s to connect, 2.5 s for the whole answer, 1 s of stream silence.
    static let limits = [
        "ATLASQA_DECODER_CONNECT_TIMEOUT": "1", "ATLASQA_DECODER_DEADLINE": "2.5", "ATLASQA_DECODER_IDLE_TIMEOUT": "1",
    ]
    static let deadlineMs = 2500.0
    /// Scheduling slack on a shared machine.
    static let marginMs = 2500.0

    struct Fault: Sendable, CustomTestStringConvertible {
        enum Target: Sendable { case standIn, refused, blackhole }
        var script: String
        var stream: Bool
        var target: Target = .standIn
        var reason: String
        var testDescription: String { "\(script) (\(stream ? "streamed" : "whole"))" }
    }

    static let faults: [Fault] = [
        Fault(script: "down", stream: true, target: .refused, reason: "connection refused"),
        Fault(script: "unreachable", stream: true, target: .blackhole, reason: "could not connect within 1 s"),
        Fault(script: "timeout", stream: false, reason: "within the 2.50 s deadline"),
        Fault(script: "http-500", stream: true, reason: "HTTP 500 Internal Server Error"),
        Fault(script: "malformed-json", stream: false, reason: "not chat-completions JSON"),
        Fault(script: "malformed-sse", stream: true, reason: "the stream ended before the answer was complete"),
        Fault(script: "stalled-stream", stream: true, reason: "(stream idle timeout)"),
        Fault(script: "reset-mid-stream", stream: true, reason: "in the middle of the answer"),
        Fault(script: "stalled-body", stream: false, reason: "within the 2.50 s deadline"),
    ]

    func atlas() async throws -> GeneratedAtlas { try await GeneratedAtlas.sharedOffPool() }

    /// Runs `atlasqa` off the cooperative pool (the stand-in and other suites' timers need its threads).
    func run(_ arguments: [String], environment: [String: String]) async throws -> CommandResult {
        try await onDispatchThread { try CLI.atlasqa(arguments, environment: environment) }
    }

    func decoderURL(_ fault: Fault) async throws -> (url: String, stop: @Sendable () async -> Void) {
        switch fault.target {
        case .standIn:
            let s = try await DecoderStandIn.start(wait: 10)
            return (s.baseURL, { await s.stop() })
        case .refused:
            return ("http://127.0.0.1:\(try await DecoderStandIn.refusedPort())/v1", {})
        case .blackhole:
            let s = try await DecoderStandIn.startBlackhole()
            return ("http://127.0.0.1:\(s.port)/v1", { await s.stop() })
        }
    }

    @Test("atlasqa ask --decoder-url falls back and says why", arguments: faults)
    func askFallsBack(_ fault: Fault) async throws {
        let atlas = try await atlas()
        let image = try atlas.queryImage(.breastDCIS, seed: 31)
        let (url, stop) = try await decoderURL(fault)
        defer { Task { await stop() } }
        var environment = Self.limits
        environment["ATLASQA_DECODER_STREAM"] = fault.stream ? "true" : "false"
        let base = ["ask", "What do the nuclei in this duct look like?", "--image", image.path, "--db", atlas.database.path,
                    "--decoder-url", url, "--decoder-model", fault.script]

        let result = try await run(base + ["--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let answer = try result.json()
        let decoder = try #require(answer["decoder"] as? [String: Any])
        #expect(decoder["kind"] as? String == "extractive")
        #expect(decoder["fallback"] as? Bool == true)
        let reason = decoder["error"] as? String ?? ""
        #expect(reason.hasPrefix("decoder \(url)/chat/completions: ") && reason.contains(fault.reason), "\(reason)")
        #expect((answer["answer"] as? String)?.contains("[1]") == true)
        let decodeMs = try #require((answer["timings_ms"] as? [String: Any])?["decode"] as? Double)
        print("cli ask fault \(fault.testDescription): fell back after \(Int(decodeMs)) ms — \(reason)")
        #expect(decodeMs < Self.deadlineMs + Self.marginMs)

        // The readable output ends with the note, naming the same reason.
        let text = try await run(base, environment: environment)
        #expect(text.status == 0)
        #expect(text.stdout.contains("(The decoder failed, so this answer was composed extractively: decoder \(url)/chat/completions: "))
        #expect(text.stdout.contains(fault.reason))
    }

    @Test func aServerProcessFallsBackOnEveryFaultAndKeepsNoDecoderConnections() async throws {
        let atlas = try await atlas()
        let database = try CLI.copyDatabase(atlas.database)
        let standIn = try await DecoderStandIn.start(wait: 10)
        var environment = Self.limits
        environment["ATLASQA_DECODER_URL"] = standIn.baseURL
        environment["ATLASQA_DECODER_MODEL"] = "by-question"
        let server = try await ServeProcess.start(
            database: database, arguments: ["--max-jobs", "32", "--max-queue", "64"], environment: environment)
        let pid = String(server.pid)
        let socketsBefore = OpenSockets.count(pid: pid)
        let png = try Data(contentsOf: atlas.queryImage(.breastDCIS, seed: 32))
        let dataURL = "data:image/png;base64," + png.base64EncodedString()
        let scripts = ["http-500", "malformed-json", "malformed-sse", "timeout", "stalled-stream", "slow-trickle", "reset-mid-stream",
                       "close-before-head"]
        let routes = ["ask", "ask-stream", "chat"]
        let port = server.port

        let replies: [(String, LoopbackHTTP.Reply?, Double)] = try await onDispatchThread {
            let jobs = scripts.flatMap { s in routes.map { (s, $0) } }
            let results = LockedResults<(String, LoopbackHTTP.Reply?, Double)>()
            DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
                let (script, route) = jobs[i]
                let question = "What do the nuclei in this duct look like? fault:\(script)"
                let started = Date()
                let reply: LoopbackHTTP.Reply?
                switch route {
                case "chat":
                    reply = try? LoopbackHTTP.json(port: port, "POST", "/v1/chat/completions", [
                        "model": "atlasqa",
                        "messages": [["role": "user", "content": [
                            ["type": "text", "text": question], ["type": "image_url", "image_url": ["url": dataURL]],
                        ]]],
                    ])
                default:
                    reply = try? LoopbackHTTP.json(port: port, "POST", "/v1/ask", [
                        "question": question, "image": dataURL, "stream": route == "ask-stream",
                    ])
                }
                results.append(("\(route) \(script)", reply, Date().timeIntervalSince(started)))
            }
            return results.all
        }

        for (label, reply, seconds) in replies.sorted(by: { $0.0 < $1.0 }) {
            let reply = try #require(reply, "\(label): no reply")
            #expect(reply.status == 200, "\(label): \(reply.text.prefix(300))")
            print("served fault \(label): \(String(format: "%.2f", seconds)) s")
            #expect(seconds * 1000 < Self.deadlineMs + Self.marginMs + 2000, "\(label) took \(seconds) s")
            #expect(reply.text.contains(#""fallback":true"#) || reply.text.contains(#""fallback" : true"#), "\(label): \(reply.text.prefix(300))")
            #expect(reply.text.contains("decoder \(standIn.baseURL)/chat/completions: "), "\(label)")
        }
        #expect(try LoopbackHTTP.request(port: port, "GET", "/metrics").text.contains("atlasqa_decoder_fallbacks_total \(replies.count)\n"))

        // The server process holds no half-closed decoder connection, and no more sockets than before
        // beyond the decoder pool's idle keep-alive connections.
        let settled = await OpenSockets.settle {
            OpenSockets.connections(toPort: standIn.port, pid: pid).allSatisfy { !$0.isCloseWait }
        }
        #expect(settled, "\(OpenSockets.connections(toPort: standIn.port, pid: pid))")
        let pooled = OpenSockets.connections(toPort: standIn.port, pid: pid).count
        let socketsAfter = OpenSockets.count(pid: pid)
        print("served faults: server process socket fds \(socketsBefore) before, \(socketsAfter) after \(replies.count) faulty answers; \(pooled) idle connections to the decoder")
        #expect(socketsAfter <= socketsBefore + pooled)
        #expect(pooled <= 8)
        await server.stop()
        await standIn.stop()
    }
}

/// Results gathered from concurrent threads. `@unchecked Sendable`: every access holds the lock.
final class LockedResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ item: T) { lock.withLock { items.append(item) } }
    var all: [T] { lock.withLock { items } }
}

extension CLI {
    /// A private copy of an index file (a server writes conversations and audit rows into it).
    static func copyDatabase(_ source: URL) throws -> URL {
        let dir = try temporaryDirectory("served")
        let copy = dir.appendingPathComponent("atlas.sqlite")
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: source.path + suffix) {
            try FileManager.default.copyItem(atPath: source.path + suffix, toPath: copy.path + suffix)
        }
        return copy
    }
}
