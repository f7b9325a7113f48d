import AtlasCore
import Answering
import Foundation
import Retrieval
import Testing

/// An atlas held in memory, searched lexically by counting the question's words in each passage:
/// enough for the real `Retriever` to rank, fuse and grade without a database or encoders.
struct InMemoryAtlas: AtlasReader {
    var entries: [Entry]

    var allPassages: [Passage] { entries.flatMap(\.passages) }

    func encoders() throws -> [EncoderRecord] { [] }
    func nearestPassages(to vector: [Float], encoder: String, k: Int) throws -> [PassageHit] { [] }
    func nearestImages(to vector: [Float], encoder: String, k: Int) throws -> [ImageHit] { [] }

    func lexicalSearch(_ text: String, k: Int) throws -> [PassageHit] {
        let words = Set(text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count >= 4 })
        let hits = allPassages.compactMap { passage -> PassageHit? in
            let body = passage.text.lowercased()
            let score = words.filter { body.contains($0) }.count
            return score > 0 ? PassageHit(passageID: passage.id, score: Float(score)) : nil
        }
        return Array(hits.sorted { $0.score > $1.score }.prefix(k))
    }

    func passages(ids: [String]) throws -> [Passage] {
        let byID = Dictionary(uniqueKeysWithValues: allPassages.map { ($0.id, $0) })
        return ids.compactMap { byID[$0] }
    }

    func passages(ofEntries ids: [String]) throws -> [Passage] {
        ids.flatMap { id in entries.first { $0.id == id }?.passages ?? [] }
    }

    func entrySummaries(ids: [String]) throws -> [String: EntrySummary] {
        var summaries: [String: EntrySummary] = [:]
        for entry in entries where ids.contains(entry.id) {
            summaries[entry.id] = EntrySummary(id: entry.id, title: entry.title, source: entry.source, diagnosis: entry.diagnosis)
        }
        return summaries
    }

    func entry(id: String) throws -> Entry? { entries.first { $0.id == id } }
    func imageData(entry: String, file: String) throws -> Data? { nil }

    static let breast = InMemoryAtlas(entries: [
        Entry(
            id: "breast-dcis", title: AtlasFixtures.dcisTitle, source: "project-authored",
            passages: [
                Passage(entryID: "breast-dcis", ordinal: 1, heading: "Microscopic features", text: AtlasFixtures.dcisFeatures),
                Passage(entryID: "breast-dcis", ordinal: 2, heading: "Differential diagnosis", text: AtlasFixtures.dcisDifferential),
                Passage(entryID: "breast-dcis", ordinal: 3, heading: "镜下特点", text: AtlasFixtures.dcisChinese),
            ]),
        Entry(
            id: "breast-udh", title: AtlasFixtures.udhTitle, source: "project-authored",
            passages: [Passage(entryID: "breast-udh", ordinal: 1, heading: "Microscopic features", text: AtlasFixtures.udhFeatures)]),
    ])
}

@Suite struct RetrieverStepTests {
    let retriever = Retriever(reader: InMemoryAtlas.breast, imageEncoder: nil, textEncoder: nil)

    @Test func askingThroughTheRetrieverCitesWhatItRetrieved() async throws {
        let pipeline = AskPipeline(retriever: retriever, k: 4, decoder: ExtractiveDecoder())
        let answer = try await pipeline.ask(AskRequest(question: "How is usual ductal hyperplasia told apart from ductal carcinoma in situ?"))
        #expect(!answer.references.isEmpty)
        #expect(answer.support != .none)
        #expect(!answer.citations.isEmpty)
        #expect(CitationInvariant.violations(of: answer) == [])
        #expect(answer.timingsMs["retrieve"] != nil)
        #expect(answer.timingsMs["decode"] != nil)
    }

    @Test func anOutOfScopeQuestionIsNotCovered() async throws {
        let pipeline = AskPipeline(retriever: retriever, k: 4, decoder: ExtractiveDecoder())
        let answer = try await pipeline.ask(AskRequest(question: "What is the capital of France?"))
        #expect(answer.support == .none)
        #expect(answer.answer == AnswerFraming.notCovered(.en))
        #expect(answer.citations.isEmpty)
    }

    @Test func aFollowUpIsRetrievedWithTheEarlierQuestionsAsContext() async throws {
        let pipeline = AskPipeline(retriever: retriever, k: 4, decoder: ExtractiveDecoder())
        let followUp = "And its grading?"
        let alone = try await pipeline.ask(AskRequest(question: followUp))
        #expect(alone.references.isEmpty)
        let history = [ConversationTurn(question: "What does comedo necrosis mean in DCIS?", answer: "Comedo-type DCIS shows high-grade nuclei [1].")]
        let inThread = try await pipeline.ask(AskRequest(question: followUp, history: history))
        #expect(inThread.references.contains { $0.entry == "breast-dcis" })
    }

    @Test func anImageWithoutAnImageEncoderIsReportedAsBadInput() async throws {
        let pipeline = AskPipeline(retriever: retriever, k: 4, decoder: ExtractiveDecoder())
        await #expect(throws: AtlasError.self) {
            try await pipeline.ask(AskRequest(question: "What is this?", image: AtlasFixtures.pngSignature, imageName: "field.png"))
        }
    }
}
