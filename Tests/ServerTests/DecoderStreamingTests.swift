import Answering
import Foundation
import Illustration
import NIOHTTP1
import Testing
@testable import Server

/// Streaming with an OpenAI-compatible decoder (the stand-in, a real HTTP+SSE server): the model's own
/// deltas go out as they arrive, and `done` still carries the checked answer.
@Suite(.serialized) struct DecoderStreamingTests {
    /// The stand-in's scripted answers, as the model writes them (Tests/Support/decoder_standin.py).
    static let absoluteWording = "This is definitely ductal carcinoma in situ [1]. The solid pattern is diagnostic of a high grade lesion [2]."
    static let validCitations = "The duct is expanded by a solid proliferation of monotonous cells [1]. The nuclei are evenly spaced with crisp borders [2]. A pathologist should confirm these findings [1]."

    static func withServer(model: String, _ body: (TestServer) async throws -> Void) async throws {
        let standIn = try await StandInDecoderProcess.start()
        defer { standIn.stop() }
        let decoder = OpenAIDecoder(settings: DecoderSettings(baseURL: standIn.baseURL, model: model, stream: true))
        let server = try await TestServer.start(decoder: decoder)
        do {
            try await body(server)
        } catch {
            await server.stop()
            try? await decoder.shutdown()
            throw error
        }
        await server.stop()
        try await decoder.shutdown()
    }

    static func texts(_ events: [(name: String?, data: String)], named name: String) throws -> [String] {
        try events.filter { $0.name == name }.map { try #require(try jsonObject($0.data)["text"] as? String) }
    }

    @Test func askForwardsTheModelsDeltasAndEndsWithTheCheckedAnswer() async throws {
        try await Self.withServer(model: "absolute-wording") { server in
            let png = try TestAtlas.queryPNG(.breastDCIS)
            let reply = try await server.postJSON(
                "/v1/ask", ["question": "What features suggest ductal carcinoma in situ?", "image": png.base64EncodedString(), "stream": true])
            #expect(reply.status == 200)
            let events = TestServer.events(reply.text)
            #expect(events.first?.name == "references")
            #expect(!events.contains { $0.name == "reset" })
            let deltas = try Self.texts(events, named: "delta")
            // The model's words, in the model's pieces (the stand-in sends 12 characters at a time) — not
            // slices of the final answer, which the wording guard has since softened.
            #expect(deltas.joined() == Self.absoluteWording)
            #expect(deltas.count >= Self.absoluteWording.count / 12 - 1)
            let done = try jsonObject(try #require(events.last { $0.name == "done" }).data)
            let decoder = try #require(done["decoder"] as? [String: Any])
            #expect(decoder["kind"] as? String == "openai" && decoder["fallback"] as? Bool == false)
            let answer = try #require(done["answer"] as? String)
            #expect(!answer.contains("definitely") && answer.contains("[1]"))
        }
    }

    @Test func aModelThatBreaksOffMidStreamIsResetAndReplacedByTheExtractiveAnswer() async throws {
        try await Self.withServer(model: "reset-mid-stream") { server in
            let reply = try await server.postJSON("/v1/ask", ["question": "What features suggest ductal carcinoma in situ?", "stream": true])
            let events = TestServer.events(reply.text)
            let names = events.map { $0.name ?? "" }
            let reset = try #require(names.firstIndex(of: "reset"), "\(names)")
            #expect(names[..<reset].contains("delta"), "the model's first pieces went out before it broke off")
            let after = try events[(reset + 1)...].filter { $0.name == "delta" }.map { try #require(try jsonObject($0.data)["text"] as? String) }
            let done = try jsonObject(try #require(events.last { $0.name == "done" }).data)
            #expect(after.joined() == done["answer"] as? String)
            #expect((done["decoder"] as? [String: Any])?["fallback"] as? Bool == true)
        }
    }

    @Test func chatCompletionsStreamTheModelsDeltasAndTheLastChunkCarriesTheReferences() async throws {
        try await Self.withServer(model: "valid-citations") { server in
            let messages: [[String: Any]] = [["role": "user", "content": "What features suggest ductal carcinoma in situ?"]]
            let reply = try await server.postJSON("/v1/chat/completions", ["model": "atlasqa", "messages": messages, "stream": true])
            #expect(reply.status == 200)
            let events = TestServer.events(reply.text)
            #expect(events.last?.data == "[DONE]")
            var pieces: [String] = []
            var last: [String: Any] = [:]
            for event in events.dropLast() {
                let chunk = try jsonObject(event.data)
                let delta = try #require((chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])
                if let text = delta["content"] as? String, !text.isEmpty { pieces.append(text) }
                last = chunk
            }
            #expect(pieces.joined() == Self.validCitations)
            #expect(pieces.count >= 10)
            #expect((last["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "stop")
            #expect((last["references"] as? [[String: Any]])?.isEmpty == false)
            #expect((last["answer"] as? String)?.contains("[2]") == true && (last["citations"] as? [Any])?.isEmpty == false)
        }
    }
}
