import Answering
import AsyncHTTPClient
import AtlasCore
import Foundation
import NIOCore
import Testing

extension DecoderStandIn {
    /// Every request the stand-in received, oldest first: `{"path", "headers", "body"}`.
    func requests() async throws -> [JSONValue] {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/_requests"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        guard case .array(let list) = value else { throw StandInError(message: "/_requests is not a JSON array") }
        return list
    }
}

/// Runs `body` with a fresh stand-in and a decoder pointed at it, and stops both afterwards.
func withStandIn<T>(
    model: String, stream: Bool = true, wait: Double = 30, configure: (inout DecoderSettings) -> Void = { _ in },
    prepareImage: ImagePayload.Preparation? = nil,
    _ body: (DecoderStandIn, OpenAIDecoder) async throws -> T
) async throws -> T {
    let standIn = try await DecoderStandIn.start(wait: wait)
    var settings = DecoderSettings(baseURL: standIn.baseURL, model: model, stream: stream)
    configure(&settings)
    do {
        let result = try await OpenAIDecoder.withDecoder(settings: settings, prepareImage: prepareImage) { decoder in
            try await body(standIn, decoder)
        }
        await standIn.stop()
        return result
    } catch {
        await standIn.stop()
        throw error
    }
}

@Suite("Decoder stand-in")
struct DecoderStandInTests {
    @Test("records what it receives and answers by script")
    func recordsRequests() async throws {
        try await withStandIn(model: "valid-citations", stream: false) { standIn, decoder in
            let answer = try await decoder.decode(DecoderFixtures.decodeRequest())
            #expect(answer.text.contains("[1]"))
            let received = try await standIn.requests()
            #expect(received.count == 1)
            #expect(received.first?["path"]?.stringValue == "/v1/chat/completions")
            #expect(received.first?["body"]?["model"]?.stringValue == "valid-citations")
        }
    }
}

/// References and requests the decoder tests ask with, built in code.
enum DecoderFixtures {
    static let references: [Reference] = [
        Reference(
            rank: 1, entry: "breast-dcis", passage: "breast-dcis#1", title: "Ductal carcinoma in situ (breast)",
            heading: "Microscopic features",
            text: "Ducts are expanded by a solid, cribriform or micropapillary proliferation of monotonous cells with evenly spaced nuclei.",
            source: "project-authored", image: nil, scores: .init(image: nil, text: 0.71, lexical: 9.2, fused: 0.033)),
        Reference(
            rank: 2, entry: "breast-adh", passage: "breast-adh#2", title: "Atypical ductal hyperplasia",
            heading: "Differential diagnosis",
            text: "Atypical ductal hyperplasia has the cytology of low-grade DCIS but involves only part of a duct or is under 2 mm.",
            source: "project-authored", image: nil, scores: .init(image: nil, text: 0.64, lexical: 6.0, fused: 0.031)),
        Reference(
            rank: 3, entry: "breast-udh", passage: "breast-udh#1", title: "Usual ductal hyperplasia", heading: nil,
            text: "Usual ductal hyperplasia shows streaming, overlapping nuclei of varied shape with irregular slit-like spaces.",
            source: "project-authored", image: nil, scores: .init(image: nil, text: 0.52, lexical: 3.1, fused: 0.029)),
    ]

    static let question = "What features of the duct suggest DCIS?"
    static let chineseQuestion = "导管的哪些特征提示导管原位癌？"

    static func decodeRequest(
        question: String = question, history: [ConversationTurn] = [], image: Data? = nil, mime: String? = nil
    ) -> DecodeRequest {
        DecodeRequest(
            question: question, language: Language.detect(question), references: references, support: .moderate,
            image: image, imageMimeType: mime, history: history)
    }

    /// The ask pipeline with a fixed retrieval result, so only the decoder varies.
    static func pipeline(decoder: any AnswerDecoder, support: Support = .moderate) -> AskPipeline {
        AskPipeline(retrieve: { _ in RetrievedReferences(references: references, support: support) }, decoder: decoder)
    }

    /// A PNG signature and filler bytes: the client sends images as they are and only reads the signature.
    static let pngBytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<56).map { UInt8($0) })
}
