import Answering
import AtlasCore
import Foundation
import Illustration
import NIOHTTP1
import Testing
@testable import Server

/// A misbehaving decoder behind the real server: every route that answers (`/v1/ask` whole and streamed,
/// `/v1/chat/completions` whole and streamed) still answers 200, extractively, within the decoder's
/// deadline, says why in the JSON and in the text, and the server keeps no connection to the decoder open.
@Suite(.serialized) struct DecoderFaultRouteTests {
    static let connectTimeout: Duration = .seconds(1)
    static let deadline: Duration = .milliseconds(2500)
    static let idleTimeout: Duration = .seconds(1)
    /// Scheduling slack on a shared two-core machine: on the decode stage alone, and on the whole request
    /// (which includes retrieval of a dozen concurrent questions).
    static let decodeMargin: Duration = .milliseconds(1500)
    static let requestMargin: Duration = .seconds(5)

    struct Fault: Sendable {
        var script: String
        /// The decoder's own request: streamed or not.
        var decoderStream: Bool
        var reason: String
    }

    static let faults: [Fault] = [
        Fault(script: "http-500", decoderStream: true, reason: "HTTP 500"),
        Fault(script: "malformed-json", decoderStream: true, reason: "a streamed chunk is not JSON"),
        Fault(script: "malformed-sse", decoderStream: true, reason: "the stream ended before the answer was complete"),
        Fault(script: "timeout", decoderStream: true, reason: "(stream idle timeout)"),
        Fault(script: "stalled-stream", decoderStream: true, reason: "(stream idle timeout)"),
        Fault(script: "slow-trickle", decoderStream: true, reason: "deadline"),
        Fault(script: "reset-mid-stream", decoderStream: true, reason: "in the middle of the answer"),
        Fault(script: "timeout", decoderStream: false, reason: "deadline"),
        Fault(script: "stalled-body", decoderStream: false, reason: "deadline"),
        Fault(script: "reset-mid-body", decoderStream: false, reason: "in the middle of the answer"),
        Fault(script: "malformed-json", decoderStream: false, reason: "not chat-completions JSON"),
        Fault(script: "close-before-head", decoderStream: false, reason: "without answering"),
    ]

    enum Route: String, CaseIterable, Sendable {
        case ask, askStream, chat, chatStream
    }

    struct Outcome: Sendable {
        var route: Route
        var fault: String
        var seconds: Double
        /// The answer's own `timings_ms.decode` (the `/v1/ask` routes).
        var decodeMs: Double?
        var decoder: [String: String]
        var fallback: Bool
        var text: String
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    static func decoder(url: String, stream: Bool) -> OpenAIDecoder {
        OpenAIDecoder(settings: DecoderSettings(
            baseURL: url, model: "by-question", connectTimeout: connectTimeout, deadline: deadline,
            streamIdleTimeout: idleTimeout, stream: stream))
    }

    static func serverSettings() -> ServerSettings {
        var settings = ServerSettings(port: 0)
        settings.maxConcurrentJobs = 32
        settings.maxQueuedJobs = 64
        return settings
    }

    /// Asks `question` over `route`; returns what the answer said about its decoder and the text users see.
    static func ask(_ server: TestServer, route: Route, question: String, image: Data, fault: String) async throws -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        let dataURL = "data:image/png;base64," + image.base64EncodedString()
        let reply: TestServer.Reply
        switch route {
        case .ask, .askStream:
            reply = try await server.postJSON(
                "/v1/ask", ["question": question, "image": dataURL, "stream": route == .askStream])
        case .chat, .chatStream:
            let message: [String: Any] = [
                "role": "user",
                "content": [["type": "text", "text": question], ["type": "image_url", "image_url": ["url": dataURL]]],
            ]
            reply = try await server.postJSON(
                "/v1/chat/completions", ["model": "atlasqa", "messages": [message], "stream": route == .chatStream])
        }
        let elapsed = Self.seconds(start.duration(to: clock.now))
        #expect(reply.status == 200, "\(route) \(fault): \(reply.status) \(reply.text.prefix(300))")

        var decoder: [String: Any] = [:]
        var text = ""
        var decodeMs: Double?
        switch route {
        case .ask:
            let answer = try reply.json()
            decoder = answer["decoder"] as? [String: Any] ?? [:]
            text = answer["answer"] as? String ?? ""
            decodeMs = (answer["timings_ms"] as? [String: Any])?["decode"] as? Double
        case .askStream:
            let events = TestServer.events(reply.text)
            #expect(events.first?.name == "references", "\(route) \(fault): \(events.map(\.name))")
            let done = try #require(events.last { $0.name == "done" }, "\(route) \(fault): no done event in \(reply.text.prefix(300))")
            let answer = try jsonObject(done.data)
            decoder = answer["decoder"] as? [String: Any] ?? [:]
            decodeMs = (answer["timings_ms"] as? [String: Any])?["decode"] as? Double
            // Model text streamed before the fault is taken back by a `reset` event: what counts follows the last one.
            let afterReset = events.lastIndex { $0.name == "reset" }.map { events.index(after: $0) } ?? events.startIndex
            text = events[afterReset...].filter { $0.name == "delta" }.compactMap { try? jsonObject($0.data)["text"] as? String }.joined()
            #expect(text == answer["answer"] as? String)
        case .chat:
            let completion = try reply.json()
            decoder = completion["decoder"] as? [String: Any] ?? [:]
            let choice = (completion["choices"] as? [[String: Any]])?.first
            text = (choice?["message"] as? [String: Any])?["content"] as? String ?? ""
        case .chatStream:
            let chunks = TestServer.events(reply.text)
            #expect(chunks.last?.data == "[DONE]")
            for chunk in chunks.dropLast() {
                let object = try jsonObject(chunk.data)
                if let d = object["decoder"] as? [String: Any] { decoder = d }
                let delta = ((object["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
                text += delta ?? ""
            }
        }
        return Outcome(
            route: route, fault: fault, seconds: elapsed, decodeMs: decodeMs, decoder: decoder.mapValues { "\($0)" },
            fallback: decoder["fallback"] as? Bool ?? false, text: text)
    }

    @Test func everyRouteFallsBackWithinTheDeadlineAndSaysWhy() async throws {
        let standIn = try await DecoderStandIn.start(wait: 10)
        let refusedPort = try await DecoderStandIn.refusedPort()
        let streamed = Self.decoder(url: standIn.baseURL, stream: true)
        let whole = Self.decoder(url: standIn.baseURL, stream: false)
        let down = Self.decoder(url: "http://127.0.0.1:\(refusedPort)/v1", stream: true)
        let servers = (
            streamed: try await TestServer.start(Self.serverSettings(), decoder: streamed),
            whole: try await TestServer.start(Self.serverSettings(), decoder: whole),
            down: try await TestServer.start(Self.serverSettings(), decoder: down))
        let image = try TestAtlas.queryPNG(.breastDCIS)

        var cases: [(TestServer, Fault)] = Self.faults.map { ($0.decoderStream ? servers.streamed : servers.whole, $0) }
        cases.append((servers.down, Fault(script: "down", decoderStream: true, reason: "connection refused")))
        // Route by route, every fault at once.
        var outcomes: [(Outcome, Fault)] = []
        for route in Route.allCases {
            outcomes += try await withThrowingTaskGroup(of: (Outcome, Fault).self) { group in
                for (server, fault) in cases {
                    group.addTask {
                        let q = "What are the features of the nuclei in this duct? fault:\(fault.script)"
                        return (try await Self.ask(server, route: route, question: q, image: image, fault: fault.script), fault)
                    }
                }
                var all: [(Outcome, Fault)] = []
                for try await o in group { all.append(o) }
                return all
            }
        }

        let bound = Self.seconds(Self.deadline + Self.requestMargin)
        let decodeBound = Self.seconds(Self.deadline + Self.decodeMargin) * 1000
        for (o, fault) in outcomes.sorted(by: { ($0.0.fault, $0.0.route.rawValue) < ($1.0.fault, $1.0.route.rawValue) }) {
            let label = "\(o.route) \(fault.script) (decoder \(fault.decoderStream ? "streamed" : "whole"))"
            print("fault route \(label): \(String(format: "%.2f", o.seconds)) s (decode \(o.decodeMs.map { String(Int($0)) } ?? "-") ms), fallback \(o.fallback): \(o.decoder["error"] ?? "-")")
            #expect(o.fallback, "\(label): \(o.decoder)")
            #expect(o.decoder["kind"] == "extractive", "\(label)")
            #expect(o.decoder["error"]?.contains(fault.reason) == true, "\(label): \(o.decoder["error"] ?? "nil")")
            #expect(o.seconds < bound, "\(label) took \(o.seconds) s")
            if let ms = o.decodeMs { #expect(ms < decodeBound, "\(label): decode took \(ms) ms") }
            #expect(o.text.contains("[1]"), "\(label): \(o.text.prefix(200))")
            if o.route == .chat || o.route == .chatStream {
                // Chat front ends show only the content: the note must be in it.
                #expect(o.text.contains("(The decoder failed, so this answer was composed extractively: decoder "), "\(label)")
            }
        }
        // Every fallback is counted in /metrics, whichever route it came through.
        let expected = [
            (servers.streamed, Self.faults.filter(\.decoderStream).count), (servers.whole, Self.faults.filter { !$0.decoderStream }.count),
            (servers.down, 1),
        ]
        for (server, faults) in expected {
            let metrics = try await server.get("/metrics")
            #expect(metrics.text.contains("atlasqa_decoder_fallbacks_total \(faults * Route.allCases.count)\n"))
        }

        // No connection to the decoder is left half-closed; stopping the decoders closes the rest.
        let settled = await OpenSockets.settle { OpenSockets.connections(toPort: standIn.port).allSatisfy { !$0.isCloseWait } }
        #expect(settled, "\(OpenSockets.connections(toPort: standIn.port))")
        print("server→decoder connections after \(outcomes.count) faulty answers: \(OpenSockets.connections(toPort: standIn.port).count) open (idle, pooled)")
        for server in [servers.streamed, servers.whole, servers.down] { await server.stop() }
        for decoder in [streamed, whole, down] { try await decoder.shutdown() }
        let closed = await OpenSockets.settle { OpenSockets.connections(toPort: standIn.port).isEmpty }
        #expect(closed, "\(OpenSockets.connections(toPort: standIn.port))")
        await standIn.stop()
    }
}
