import Answering
import AtlasCore
import Foundation
import Testing

/// One way a decoder server can misbehave, and what the client must make of it.
struct DecoderFault: Sendable, CustomTestStringConvertible {
    enum Target: Sendable { case standIn, refused, blackhole }
    /// Which configured limit ends the wait (nil: the failure is immediate).
    enum Limit: Sendable { case connect, deadline, idle, connectThenIdle }

    var name: String
    /// The stand-in's script (Tests/Support/decoder_standin.py).
    var script: String
    var stream: Bool
    var target: Target = .standIn
    /// A fragment of the reason users see in `decoder.error`.
    var reason: String
    var cutBy: Limit?

    var testDescription: String { "\(name) (\(stream ? "streamed" : "whole"))" }

    /// The limits every case runs with: small, so a cut-off shows within seconds.
    static let connectTimeout: Duration = .seconds(1)
    static let deadline: Duration = .milliseconds(2500)
    static let idleTimeout: Duration = .seconds(1)
    /// Scheduling slack on a shared two-core machine running tests in parallel.
    static let margin: Duration = .seconds(4)

    static let all: [DecoderFault] = [
        .init(name: "down: nothing listening", script: "valid-citations", stream: true, target: .refused, reason: "connection refused"),
        .init(name: "down: connection never accepted", script: "valid-citations", stream: true, target: .blackhole,
              reason: "could not connect within 1 s", cutBy: .connect),
        .init(name: "slow: no answer before the deadline", script: "timeout", stream: false,
              reason: "within the 2.50 s deadline", cutBy: .deadline),
        .init(name: "slow: no first byte of the stream", script: "timeout", stream: true,
              reason: "the server sent nothing for 2 s (stream idle timeout)", cutBy: .connectThenIdle),
        .init(name: "slow: a stream that trickles past the deadline", script: "slow-trickle", stream: true,
              reason: "within the 2.50 s deadline", cutBy: .deadline),
        .init(name: "5xx", script: "http-500", stream: false, reason: "HTTP 500 Internal Server Error"),
        .init(name: "5xx", script: "http-500", stream: true, reason: "HTTP 500 Internal Server Error"),
        .init(name: "malformed JSON", script: "malformed-json", stream: false, reason: "the response is not chat-completions JSON"),
        .init(name: "malformed JSON in the stream", script: "malformed-json", stream: true, reason: "a streamed chunk is not JSON"),
        .init(name: "malformed SSE", script: "malformed-sse", stream: true, reason: "the stream ended before the answer was complete"),
        .init(name: "not HTTP at all", script: "broken-http", stream: false, reason: "is not valid HTTP"),
        .init(name: "closed before answering", script: "close-before-head", stream: false,
              reason: "closed the connection without answering"),
        .init(name: "stalled stream", script: "stalled-stream", stream: true, reason: "(stream idle timeout)", cutBy: .idle),
        .init(name: "stalled body", script: "stalled-body", stream: false,
              reason: "within the 2.50 s deadline", cutBy: .deadline),
        .init(name: "reset mid-stream", script: "reset-mid-stream", stream: true, reason: "in the middle of the answer"),
        .init(name: "reset mid-body", script: "reset-mid-body", stream: false, reason: "in the middle of the answer"),
    ]

    func settings(baseURL: String) -> DecoderSettings {
        DecoderSettings(
            baseURL: baseURL, model: script, connectTimeout: Self.connectTimeout, deadline: Self.deadline,
            streamIdleTimeout: Self.idleTimeout, stream: stream)
    }

    /// The longest this case may take: its limit (or none) plus the margin — never more than deadline + margin.
    var bound: Duration {
        switch cutBy {
        case .connect: Self.connectTimeout + Self.margin
        case .idle: Self.idleTimeout + Self.margin
        case .connectThenIdle: Self.connectTimeout + Self.idleTimeout + Self.margin
        case .deadline, nil: Self.deadline + Self.margin
        }
    }

    var floor: Duration {
        switch cutBy {
        case .connect: Self.connectTimeout
        case .idle: Self.idleTimeout
        case .connectThenIdle: Self.connectTimeout + Self.idleTimeout
        case .deadline: Self.deadline
        case nil: .zero
        }
    }
}

/// A stand-in (or a dead port) for one fault; `url` is the API base.
struct FaultServer {
    var url: String
    var ports: [Int]
    var stop: @Sendable () async -> Void

    static func start(_ target: DecoderFault.Target, wait: Double = 10) async throws -> FaultServer {
        switch target {
        case .standIn:
            let s = try await DecoderStandIn.start(wait: wait)
            return FaultServer(url: s.baseURL, ports: [s.port], stop: { await s.stop() })
        case .refused:
            let port = try await DecoderStandIn.refusedPort()
            return FaultServer(url: "http://127.0.0.1:\(port)/v1", ports: [port], stop: {})
        case .blackhole:
            let s = try await DecoderStandIn.startBlackhole()
            return FaultServer(url: "http://127.0.0.1:\(s.port)/v1", ports: [s.port], stop: { await s.stop() })
        }
    }
}

/// Every fault of a misbehaving decoder server ends in the extractive answer within the configured limits,
/// says why in `decoder.error` and in the text users read, and leaves no connection open behind it.
@Suite("Decoder fault matrix")
struct DecoderFaultMatrixTests {
    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    @Test("falls back within the limit and says why", arguments: DecoderFault.all)
    func fallsBack(_ fault: DecoderFault) async throws {
        let server = try await FaultServer.start(fault.target)
        do {
            try await OpenAIDecoder.withDecoder(settings: fault.settings(baseURL: server.url)) { decoder in
                let clock = ContinuousClock()
                let start = clock.now
                let answer = try await DecoderFixtures.pipeline(decoder: decoder).ask(AskRequest(question: DecoderFixtures.question))
                let elapsed = start.duration(to: clock.now)
                print("decoder fault \(fault.testDescription): fell back after \(String(format: "%.2f", Self.seconds(elapsed))) s — \(answer.decoder.error ?? "-")")

                #expect(answer.decoder.kind == .extractive)
                #expect(answer.decoder.fallback)
                let reason = answer.decoder.error ?? ""
                #expect(reason.contains(fault.reason), "reason: \(reason)")
                #expect(reason.hasPrefix("decoder \(server.url)/chat/completions: "))
                #expect(!answer.citations.isEmpty && answer.answer.contains("[1]"))
                #expect(elapsed < fault.bound, "took \(Self.seconds(elapsed)) s, limit \(Self.seconds(fault.bound)) s")
                #expect(elapsed >= fault.floor, "cut before its limit: \(Self.seconds(elapsed)) s")
                // The decode stage's own timing says the same.
                #expect((answer.timingsMs["decode"] ?? .infinity) < Self.seconds(fault.bound) * 1000)
                // The readable form says so too.
                let text = AnswerRenderer.text(of: answer)
                #expect(text.contains("The decoder failed, so this answer was composed extractively: \(reason)"))
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("a Chinese question's fallback note is in Chinese")
    func chineseNote() async throws {
        let port = try await DecoderStandIn.refusedPort()
        let settings = DecoderSettings(baseURL: "http://127.0.0.1:\(port)/v1", model: "valid-citations")
        try await OpenAIDecoder.withDecoder(settings: settings) { decoder in
            let answer = try await DecoderFixtures.pipeline(decoder: decoder).ask(AskRequest(question: DecoderFixtures.chineseQuestion))
            #expect(answer.decoder.fallback)
            #expect(AnswerRenderer.text(of: answer).contains("（解码器不可用，已改用摘录式回答：decoder http://127.0.0.1:\(port)"))
        }
    }

    /// One decoder (one connection pool) through every stand-in fault, twice: connections to the decoder
    /// never pile up (none half-closed, no growth between rounds), and shutting the decoder down closes them all.
    @Test("no leaked connections after a batch of faults")
    func noLeakedConnections() async throws {
        let standIn = try await DecoderStandIn.start(wait: 10)
        defer { Task { await standIn.stop() } }
        let faults = DecoderFault.all.filter { $0.target == .standIn }
        let socketsBefore = OpenSockets.count()
        // One decoder (one pool) for the streamed faults, one for the whole ones.
        func decoder(stream: Bool) -> OpenAIDecoder {
            OpenAIDecoder(settings: DecoderSettings(
                baseURL: standIn.baseURL, model: "by-question", connectTimeout: DecoderFault.connectTimeout,
                deadline: DecoderFault.deadline, streamIdleTimeout: DecoderFault.idleTimeout, stream: stream))
        }
        let streamed = decoder(stream: true)
        let whole = decoder(stream: false)
        var openAfterRound: [Int] = []
        for _ in 0..<2 {
            // Run the faults concurrently, as a server's requests would be.
            try await withThrowingTaskGroup(of: Answer.self) { group in
                for fault in faults {
                    let pipeline = DecoderFixtures.pipeline(decoder: fault.stream ? streamed : whole)
                    group.addTask {
                        try await pipeline.ask(AskRequest(question: DecoderFixtures.question + " fault:\(fault.script)"))
                    }
                }
                for try await answer in group { #expect(answer.decoder.fallback, "\(answer.decoder)") }
            }
            let settled = await OpenSockets.settle { OpenSockets.connections(toPort: standIn.port).allSatisfy { !$0.isCloseWait } }
            #expect(settled, "half-closed connections to the decoder: \(OpenSockets.connections(toPort: standIn.port))")
            openAfterRound.append(OpenSockets.connections(toPort: standIn.port).count)
        }
        print("decoder sockets: \(socketsBefore) socket fds before; open to the decoder after each round of \(faults.count) faults: \(openAfterRound)")
        // Idle keep-alive connections may stay pooled (a 500 is a whole HTTP answer), but never more than the
        // pools hold: AsyncHTTPClient keeps at most 8 HTTP/1 connections per host per client (its default soft
        // limit), and there are two clients, after 28 faults. How many stay pooled after a round depends on
        // how the concurrent faults interleave (CI once saw 5 then 2, here 2 then 0), so the bound is the
        // pools'; leaked connections would be half-closed (checked above) or outlive the shutdown (below).
        #expect(openAfterRound.allSatisfy { $0 <= 2 * 8 }, "\(openAfterRound)")
        try await streamed.shutdown()
        try await whole.shutdown()
        let closed = await OpenSockets.settle { OpenSockets.connections(toPort: standIn.port).isEmpty }
        #expect(closed, "still open after shutdown: \(OpenSockets.connections(toPort: standIn.port))")
    }
}

@Suite("Decoder limits from the environment")
struct DecoderLimitsEnvironmentTests {
    /// `atlasqa ask --decoder-url` once ignored every ATLASQA_DECODER_* limit unless ATLASQA_DECODER_URL was set too.
    @Test func aURLGivenAsAFlagKeepsTheEnvironmentsLimits() throws {
        let environment = [
            "ATLASQA_DECODER_DEADLINE": "2.5", "ATLASQA_DECODER_IDLE_TIMEOUT": "1", "ATLASQA_DECODER_CONNECT_TIMEOUT": "0.5",
            "ATLASQA_DECODER_STREAM": "false",
        ]
        let settings = try #require(try DecoderSettings.fromEnvironment(environment, baseURL: "http://127.0.0.1:9/v1"))
        #expect(settings.baseURL == "http://127.0.0.1:9/v1")
        #expect(settings.deadline == .milliseconds(2500))
        #expect(settings.streamIdleTimeout == .seconds(1))
        #expect(settings.connectTimeout == .milliseconds(500))
        #expect(!settings.stream)
        // The flag wins over the variable; with neither there is no decoder.
        let both = try DecoderSettings.fromEnvironment(["ATLASQA_DECODER_URL": "http://127.0.0.1:1/v1"], baseURL: "http://127.0.0.1:2/v1")
        #expect(both?.baseURL == "http://127.0.0.1:2/v1")
        #expect(try DecoderSettings.fromEnvironment(environment) == nil)
    }
}
