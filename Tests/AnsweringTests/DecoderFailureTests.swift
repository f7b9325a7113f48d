import Answering
import AtlasCore
import Foundation
import Testing

/// Every way the decoder can fail ends in the extractive answer, with `decoder.fallback` and the reason
/// in `decoder.error` — through the real ask pipeline, against the real stand-in server.
@Suite("Decoder failures fall back")
struct DecoderFailureTests {
    /// The answer the extractive decoder gives for the same question and references.
    static func extractiveAnswer() async throws -> String {
        try await DecoderFixtures.pipeline(decoder: ExtractiveDecoder()).ask(AskRequest(question: DecoderFixtures.question)).answer
    }

    /// Asks through the pipeline and checks the fallback; returns the reason and how long it took.
    static func askExpectingFallback(
        _ decoder: OpenAIDecoder, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (reason: String, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let answer = try await DecoderFixtures.pipeline(decoder: decoder).ask(AskRequest(question: DecoderFixtures.question))
        let elapsed = start.duration(to: clock.now)
        #expect(answer.decoder.kind == .extractive, sourceLocation: sourceLocation)
        #expect(answer.decoder.fallback, sourceLocation: sourceLocation)
        #expect(answer.answer == (try await extractiveAnswer()), sourceLocation: sourceLocation)
        #expect(!answer.citations.isEmpty, sourceLocation: sourceLocation)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (answer.decoder.error ?? "", seconds)
    }

    @Test("HTTP 500: the status and the server's message", arguments: [true, false])
    func http500(stream: Bool) async throws {
        try await withStandIn(model: "http-500", stream: stream) { standIn, decoder in
            let (reason, _) = try await Self.askExpectingFallback(decoder)
            #expect(reason == "decoder \(standIn.baseURL)/chat/completions: HTTP 500 Internal Server Error: stand-in internal error")
        }
    }

    @Test("a server that never answers is cut at the deadline")
    func timeout() async throws {
        try await withStandIn(model: "timeout", stream: false, configure: { $0.deadline = .milliseconds(600) }) { _, decoder in
            let (reason, seconds) = try await Self.askExpectingFallback(decoder)
            #expect(reason.hasSuffix("no complete answer within the 0.60 s deadline"))
            #expect(seconds >= 0.6 && seconds < 5, "took \(seconds) s")
        }
    }

    @Test("a stream that stalls is cut after the idle timeout")
    func stalledStream() async throws {
        try await withStandIn(
            model: "stalled-stream", configure: { $0.streamIdleTimeout = .milliseconds(800) }
        ) { _, decoder in
            let pieces = Pieces()
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: OpenAIDecoderError.self) {
                _ = try await decoder.decode(DecoderFixtures.decodeRequest()) { await pieces.append($0) }
            }
            #expect(start.duration(to: clock.now) < .seconds(5))
            // Only what came before the stall was shown (on a busy machine, perhaps less of it).
            let shown = await pieces.joined
            #expect("The duct is expanded by ".hasPrefix(shown), "shown: '\(shown)'")

            let (reason, seconds) = try await Self.askExpectingFallback(decoder)
            #expect(reason.hasSuffix("the server sent nothing for 0.80 s (stream idle timeout)"))
            #expect(seconds >= 0.8 && seconds < 5, "took \(seconds) s")
        }
    }

    @Test("malformed JSON, whole or in the stream", arguments: [true, false])
    func malformedJSON(stream: Bool) async throws {
        try await withStandIn(model: "malformed-json", stream: stream) { _, decoder in
            let (reason, _) = try await Self.askExpectingFallback(decoder)
            #expect(reason.contains(stream ? "a streamed chunk is not JSON" : "the response is not chat-completions JSON"))
        }
    }

    @Test("a connection reset in the middle of the stream")
    func resetMidStream() async throws {
        try await withStandIn(model: "reset-mid-stream") { _, decoder in
            let (reason, seconds) = try await Self.askExpectingFallback(decoder)
            #expect(reason.contains("in the middle of the answer"))
            #expect(seconds < 5)
        }
    }

    @Test("a refused connection: nothing listening on the port")
    func refusedConnection() async throws {
        let port = try await DecoderStandIn.refusedPort()
        let settings = DecoderSettings(baseURL: "http://127.0.0.1:\(port)/v1", model: "valid-citations", connectTimeout: .seconds(5))
        try await OpenAIDecoder.withDecoder(settings: settings) { decoder in
            let (reason, seconds) = try await Self.askExpectingFallback(decoder)
            #expect(reason == "decoder http://127.0.0.1:\(port)/v1/chat/completions: connection refused (is the decoder server running at this address?)")
            // Refused is final: no waiting out the 5 s connect timeout.
            #expect(seconds < 2.5, "took \(seconds) s")
        }
    }

    @Test("finish_reason sensitive is a refusal, not an answer")
    func sensitive() async throws {
        try await withStandIn(model: "sensitive") { _, decoder in
            let (reason, _) = try await Self.askExpectingFallback(decoder)
            #expect(reason.contains("finish_reason \"sensitive\""))
        }
    }

    @Test("an empty answer falls back", arguments: [true, false])
    func empty(stream: Bool) async throws {
        try await withStandIn(model: "empty", stream: stream) { _, decoder in
            let (reason, _) = try await Self.askExpectingFallback(decoder)
            #expect(reason.hasSuffix("the model returned no answer text"))
        }
    }

    @Test("an error object with status 200")
    func errorObject() async throws {
        try await withStandIn(model: "error-object", stream: false) { _, decoder in
            let (reason, _) = try await Self.askExpectingFallback(decoder)
            #expect(reason.hasSuffix("the server answered with an error: model is overloaded"))
        }
    }

    @Test("the thrown error names the endpoint and the kind of failure")
    func typedError() async throws {
        try await withStandIn(model: "http-500") { standIn, decoder in
            do {
                _ = try await decoder.decode(DecoderFixtures.decodeRequest())
                Issue.record("a 500 did not throw")
            } catch let error as OpenAIDecoderError {
                #expect(error.code == .httpStatus)
                #expect(error.status == 500)
                #expect(error.endpoint == standIn.baseURL + "/chat/completions")
            }
        }
    }
}
