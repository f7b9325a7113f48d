import AtlasCore
import Answering
import Foundation
import Testing

/// A decoder that answers with a fixed text and remembers every request it was given.
actor RecordingDecoder: AnswerDecoder {
    let reply: String
    private(set) var requests: [DecodeRequest] = []

    init(reply: String) { self.reply = reply }

    func decode(_ request: DecodeRequest) async throws -> DecodedAnswer {
        requests.append(request)
        return DecodedAnswer(text: reply, decoder: DecoderInfo(kind: .openai, model: "scripted-vlm"))
    }
}

/// A decoder whose server cannot be reached.
struct UnreachableDecoder: AnswerDecoder {
    func decode(_ request: DecodeRequest) async throws -> DecodedAnswer {
        throw AtlasError(.decoder, "openai decoder at http://127.0.0.1:9/v1: connection refused")
    }
}

@Suite struct AskPipelineTests {
    static func retrieving(_ references: [Reference], support: Support) -> AskPipeline.Retrieve {
        { _ in RetrievedReferences(references: references, support: support, timings: ["text": 1.5, "retrieve": 2.0]) }
    }

    @Test func decoderAnswerIsCheckedAgainstTheReferences() async throws {
        let decoder = RecordingDecoder(reply: """
            The duct is expanded by a monotonous population of cells [1, 2]. This is definitely DCIS [9]. \
            The myoepithelial layer is retained around the duct.
            """)
        let pipeline = AskPipeline(
            retrieve: Self.retrieving(AtlasFixtures.dcisQuestionReferences, support: .strong), decoder: decoder)
        let answer = try await pipeline.ask(AskRequest(question: "Is this DCIS?", conversation: "c-1"))

        #expect(CitationInvariant.violations(of: answer) == [])
        #expect(answer.citations.map(\.n) == [1, 2])
        #expect(answer.removedCitations == 1)
        #expect(answer.answer.contains("This may be DCIS."))
        #expect(answer.uncitedSentences == ["This may be DCIS.", "The myoepithelial layer is retained around the duct."])
        #expect(WordingGuard.absoluteWording(in: answer.answer).isEmpty)
        #expect(answer.decoder == DecoderInfo(kind: .openai, model: "scripted-vlm"))
        #expect(answer.conversation == "c-1")
        #expect(answer.language == .en)
        #expect(answer.answer.hasSuffix(AnswerFraming.closingReminder(.en)))
        for stage in ["text", "retrieve", "decode", "total"] { #expect(answer.timingsMs[stage] != nil, "\(stage)") }
        #expect(answer.timingsMs["total"]! >= answer.timingsMs["decode"]!)
        let requests = await decoder.requests
        #expect(requests.count == 1)
        #expect(requests.first?.references.map(\.passage) == AtlasFixtures.dcisQuestionReferences.map(\.passage))
    }

    @Test func supportNoneAnswersNotCoveredWithoutCallingTheDecoder() async throws {
        let decoder = RecordingDecoder(reply: "Paris is the capital of France [1].")
        let pipeline = AskPipeline(
            retrieve: Self.retrieving(Array(AtlasFixtures.dcisQuestionReferences.prefix(2)), support: .none),
            decoder: decoder)
        let answer = try await pipeline.ask(AskRequest(question: "What is the capital of France?"))
        #expect(answer.answer == AnswerFraming.notCovered(.en))
        #expect(answer.citations.isEmpty)
        #expect(CitationInvariant.citedNumbers(in: answer.answer).isEmpty)
        #expect(answer.support == .none)
        #expect(await decoder.requests.isEmpty)
        #expect(answer.timingsMs["decode"] == nil)

        let zh = try await pipeline.ask(AskRequest(question: "法国的首都是哪里？"))
        #expect(zh.answer == AnswerFraming.notCovered(.zh))
        #expect(zh.language == .zh)
        #expect(await decoder.requests.isEmpty)
    }

    @Test func throwingDecoderFallsBackToTheExtractiveAnswerWithTheReason() async throws {
        let pipeline = AskPipeline(
            retrieve: Self.retrieving(AtlasFixtures.imageQueryReferences, support: .moderate),
            decoder: UnreachableDecoder())
        let answer = try await pipeline.ask(
            AskRequest(question: "What does this image show?", image: AtlasFixtures.pngSignature, imageMimeType: "image/png"))
        #expect(answer.decoder.kind == .extractive)
        #expect(answer.decoder.fallback)
        #expect(answer.decoder.error?.contains("connection refused") == true)
        #expect(answer.answer.hasPrefix("The image most resembles \(AtlasFixtures.udhTitle) [2]"))
        #expect(CitationInvariant.violations(of: answer) == [])
        #expect(answer.uncitedSentences == [])
    }

    @Test func emptyDecoderAnswerFallsBackToo() async throws {
        let pipeline = AskPipeline(
            retrieve: Self.retrieving(AtlasFixtures.dcisQuestionReferences, support: .weak),
            decoder: RecordingDecoder(reply: "  \n"))
        let answer = try await pipeline.ask(AskRequest(question: "What are the features of DCIS?"))
        #expect(answer.decoder.fallback)
        #expect(answer.decoder.error == "decoder returned an empty answer")
        #expect(!answer.citations.isEmpty)
    }

    @Test func chineseQuestionGetsAChineseAnswerFromTheExtractiveDecoder() async throws {
        let pipeline = AskPipeline(
            retrieve: Self.retrieving(AtlasFixtures.dcisQuestionReferences, support: .strong),
            decoder: ExtractiveDecoder())
        let answer = try await pipeline.ask(AskRequest(question: "导管原位癌和普通型导管增生怎么鉴别？"))
        #expect(answer.language == .zh)
        #expect(answer.decoder == DecoderInfo(kind: .extractive))
        #expect(answer.citations.map(\.n) == [4])
        #expect(answer.answer.contains("参考支持程度：强。"))
        #expect(answer.answer.hasSuffix(AnswerFraming.closingReminder(.zh)))
        #expect(CitationInvariant.violations(of: answer) == [])
    }

    @Test func retrievalFailureIsReportedNotAnswered() async {
        let pipeline = AskPipeline(
            retrieve: { _ in throw AtlasError(.storage, "opening index 'atlas.sqlite': no such file") },
            decoder: ExtractiveDecoder())
        await #expect(throws: AtlasError.self) { try await pipeline.ask(AskRequest(question: "What is DCIS?")) }
    }

    /// Whatever the questions and references, no extractive answer carries absolute wording or a stray citation.
    @Test(arguments: [
        "What does this image show?", "Is the myoepithelial layer intact in DCIS?", "How is invasion recognised?",
        "导管原位癌的镜下特点是什么？", "淋巴结转移癌如何识别？", "What grade is this?",
    ])
    func noExtractiveAnswerContainsBannedWordingOrStrayCitations(question: String) async throws {
        // A passage with absolute wording: the guard must soften it even when it comes from the atlas itself.
        var references = AtlasFixtures.imageQueryReferences
        references.append(AtlasFixtures.reference(
            6, entry: "breast-idc", ordinal: 3, title: "Invasive ductal carcinoma (breast)", heading: "Pitfalls",
            text: "Loss of the myoepithelial layer is definitely diagnostic of invasion in this atlas. 浸润的确诊需要免疫组化。",
            image: 0.5, fused: 0.009))
        let pipeline = AskPipeline(retrieve: Self.retrieving(references, support: .moderate), decoder: ExtractiveDecoder())
        let answer = try await pipeline.ask(AskRequest(question: question, image: AtlasFixtures.pngSignature))
        let lower = answer.answer.lowercased()
        #expect(WordingGuard.bannedPhrases.allSatisfy { !lower.contains($0.lowercased()) }, "\(answer.answer)")
        #expect(WordingGuard.absoluteWording(in: answer.answer).isEmpty)
        #expect(CitationInvariant.violations(of: answer) == [])
        #expect(answer.language == Language.detect(question))
        #expect(answer.answer.components(separatedBy: AnswerFraming.closingReminder(answer.language)).count == 2)
    }

    @Test func answerJSONHasTheDesignShape() async throws {
        let pipeline = AskPipeline(
            retrieve: Self.retrieving(AtlasFixtures.dcisQuestionReferences, support: .strong), decoder: ExtractiveDecoder())
        let answer = try await pipeline.ask(AskRequest(question: "What are the features of DCIS?", conversation: "c-9"))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(answer)) as? [String: Any]
        let keys = Set(json?.keys.map { $0 } ?? [])
        #expect(keys.isSuperset(of: ["question", "answer", "citations", "references", "support", "decoder", "conversation", "language", "timings_ms"]))
        #expect(json?["support"] as? String == "strong")
        #expect((json?["decoder"] as? [String: Any])?["kind"] as? String == "extractive")
    }
}

@Suite struct AnswerRendererTests {
    @Test func readableAnswerListsEachCitedPassageWithEntryAndSource() async throws {
        let pipeline = AskPipeline(
            retrieve: { _ in RetrievedReferences(references: AtlasFixtures.dcisQuestionReferences, support: .strong) },
            decoder: UnreachableDecoder())
        let answer = try await pipeline.ask(AskRequest(question: "How do I tell usual ductal hyperplasia from DCIS?"))
        let text = AnswerRenderer.text(of: answer)
        #expect(text.hasPrefix(answer.answer))
        for citation in answer.citations {
            #expect(text.contains("[\(citation.n)] \(citation.title)"))
            #expect(text.contains("(\(citation.passage))"))
        }
        #expect(text.contains("Source: project-authored (AtlasQA teaching atlas)"))
        #expect(text.contains("composed extractively: openai decoder at http://127.0.0.1:9/v1: connection refused"))
        // Uncited references are not listed.
        let uncited = Set(1...answer.references.count).subtracting(answer.citations.map(\.n))
        for n in uncited { #expect(!text.contains("\n[\(n)] ")) }
    }
}
