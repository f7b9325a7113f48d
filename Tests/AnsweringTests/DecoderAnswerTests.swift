import Answering
import AtlasCore
import Foundation
import Testing

/// What a user sees when the decoder answers: each scripted answer of the stand-in, through the whole
/// ask pipeline (decoder → wording guard → citation checker), streamed and not.
@Suite("Decoder answers")
struct DecoderAnswerTests {
    @Test("valid citations are kept and resolved to references", arguments: [true, false])
    func validCitations(stream: Bool) async throws {
        try await withStandIn(model: "valid-citations", stream: stream) { _, decoder in
            let answer = try await DecoderFixtures.pipeline(decoder: decoder).ask(AskRequest(question: DecoderFixtures.question))
            #expect(answer.decoder == DecoderInfo(kind: .openai, model: "valid-citations", fallback: false, error: nil))
            #expect(answer.answer.hasPrefix("The duct is expanded by a solid proliferation of monotonous cells [1]."))
            #expect(answer.citations.map(\.n) == [1, 2])
            #expect(answer.citations.map(\.passage) == ["breast-dcis#1", "breast-adh#2"])
            #expect(answer.removedCitations == 0)
            #expect(answer.uncitedSentences == [])
            #expect(answer.answer.hasSuffix(AnswerFraming.closingReminder(.en)))
        }
    }

    @Test("a Chinese question gets the Chinese rules and a Chinese answer")
    func chinese() async throws {
        try await withStandIn(model: "valid-citations") { standIn, decoder in
            let answer = try await DecoderFixtures.pipeline(decoder: decoder)
                .ask(AskRequest(question: DecoderFixtures.chineseQuestion))
            #expect(answer.language == .zh)
            #expect(answer.answer.hasPrefix("导管被单一形态的细胞实性增生所扩张[1]。"))
            #expect(answer.citations.map(\.n) == [1, 2])
            #expect(answer.answer.hasSuffix(AnswerFraming.closingReminder(.zh)))
            let system = try await standIn.requests()[0]["body"]?["messages"]?.arrayValue?.first?["content"]?.stringValue
            #expect(system == PromptRules.system(.zh))
        }
    }

    @Test("invented citations are removed and counted; what they supported is flagged")
    func inventedCitations() async throws {
        try await withStandIn(model: "invented-citations") { _, decoder in
            let answer = try await DecoderFixtures.pipeline(decoder: decoder).ask(AskRequest(question: DecoderFixtures.question))
            #expect(!answer.decoder.fallback)
            #expect(answer.removedCitations == 2)
            #expect(!answer.answer.contains("[7]") && !answer.answer.contains("[12]"))
            #expect(answer.citations.map(\.n) == [1])
            #expect(answer.uncitedSentences == [
                "Comedo necrosis is always present in this lesion.", "Calcifications are typical of the pattern.",
            ])
        }
    }

    @Test("an answer without citations is kept, every claim flagged")
    func noCitations() async throws {
        try await withStandIn(model: "no-citations") { _, decoder in
            let answer = try await DecoderFixtures.pipeline(decoder: decoder).ask(AskRequest(question: DecoderFixtures.question))
            #expect(!answer.decoder.fallback)
            #expect(answer.citations.isEmpty)
            #expect(answer.uncitedSentences == [
                "The duct is expanded by a solid proliferation of monotonous cells.",
                "The nuclei are evenly spaced with crisp borders.",
            ])
        }
    }

    @Test("absolute wording is softened before anyone sees it")
    func absoluteWording() async throws {
        try await withStandIn(model: "absolute-wording") { _, decoder in
            let reviewed = try await DecoderFixtures.pipeline(decoder: decoder)
                .askReviewed(AskRequest(question: DecoderFixtures.question))
            let answer = reviewed.answer
            #expect(WordingGuard.absoluteWording(in: answer.answer).isEmpty)
            #expect(!answer.answer.lowercased().contains("definitely"))
            #expect(reviewed.softenedPhrases.contains { $0.lowercased().contains("definitely") })
            #expect(reviewed.softenedPhrases.contains { $0.lowercased().contains("diagnostic of") })
            #expect(answer.citations.map(\.n) == [1, 2])
        }
    }

    @Test("box tokens and reasoning never reach the user, streamed or not", arguments: [true, false])
    func boxTokens(stream: Bool) async throws {
        try await withStandIn(model: "box-tokens", stream: stream) { _, decoder in
            let pieces = Pieces()
            let decoded = try await decoder.decode(DecoderFixtures.decodeRequest()) { await pieces.append($0) }
            #expect(decoded.text == "The duct is expanded by a solid proliferation of monotonous cells [1].")
            let streamed = await pieces.joined
            if stream {
                #expect(await pieces.count > 3)  // the stand-in sends 5-character pieces
                #expect(streamed == decoded.text)
            } else {
                #expect(streamed.isEmpty)
            }
            let answer = try await DecoderFixtures.pipeline(decoder: decoder).ask(AskRequest(question: DecoderFixtures.question))
            for hidden in ["<|", "|>", "think", "Thinking", "Reference 1 describes"] {
                #expect(!answer.answer.contains(hidden))
            }
            #expect(answer.citations.map(\.n) == [1])
        }
    }

    @Test("an answer cut off at max_tokens is kept and marked as truncated")
    func truncated() async throws {
        try await withStandIn(model: "length") { _, decoder in
            let answer = try await DecoderFixtures.pipeline(decoder: decoder).ask(AskRequest(question: DecoderFixtures.question))
            #expect(!answer.decoder.fallback)
            #expect(answer.answer.contains("The nuclei are … (answer truncated)"))
        }
    }

    @Test("support none: the decoder is not asked at all")
    func supportNone() async throws {
        try await withStandIn(model: "valid-citations") { standIn, decoder in
            let answer = try await DecoderFixtures.pipeline(decoder: decoder, support: .none)
                .ask(AskRequest(question: "What is the capital of France?"))
            #expect(answer.answer == AnswerFraming.notCovered(.en))
            #expect(try await standIn.requests().isEmpty)
        }
    }

    @Test("the answer stream delivers pieces, then the whole answer")
    func answerStream() async throws {
        try await withStandIn(model: "valid-citations") { _, decoder in
            var pieces: [String] = []
            var final: DecodedAnswer?
            for try await event in decoder.answerStream(DecoderFixtures.decodeRequest()) {
                switch event {
                case .delta(let piece): pieces.append(piece)
                case .answer(let answer): final = answer
                }
            }
            #expect(pieces.count > 5)
            #expect(pieces.joined() == final?.text)
        }
    }
}

/// Collects streamed pieces from the decoder's callback.
actor Pieces {
    private var list: [String] = []
    func append(_ piece: String) { list.append(piece) }
    var joined: String { list.joined() }
    var count: Int { list.count }
}

extension JSONValue {
    var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}
