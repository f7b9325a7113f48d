import AtlasCore
import Encoders
import Foundation
import Retrieval
import Testing

/// multilingual-e5-small from models/ (`$ATLASQA_MODELS` or the checkout's), which CI fetches; nil when absent.
enum InstalledE5 {
    static let encoder: (any TextEncoder)? = {
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models")
        let directory = ProcessInfo.processInfo.environment["ATLASQA_MODELS"].map { URL(fileURLWithPath: $0) } ?? models
        return try? TextEncoderCatalog.load(id: "multilingual-e5-small", modelsDirectory: directory)
    }()
}

/// The concept layer with the real multilingual-e5-small.
@Suite(.enabled(if: InstalledE5.encoder != nil, "models/multilingual-e5-small not installed: run Scripts/setup"))
struct TissueConceptsTests {
    func concept(_ question: String) throws -> String? {
        let encoder = try #require(InstalledE5.encoder)
        let concepts = try TissueConcepts.shared(for: encoder)
        let vector = try encoder.embed([question], role: .query)[0]
        return concepts.match(vector, language: Language.detect(question))?.name
    }

    @Test(arguments: [
        // None of these has a thesaurus cue for its tissue, nor is any a phrasing of the table.
        ("What are the cushions of soft yellow tissue wrapped around the outside of the colon?", "adipose"),
        ("Which tiny dark round cells gather to guard the body against germs?", "lymphocytes"),
        ("What is the thick layer in the bowel wall that tightens in waves?", "smooth-muscle"),
        ("肠子外面那层储存热量的软组织在显微镜下什么样？", "adipose"),
        ("像鼻涕一样淡蓝色的一大片物质是什么？", "mucus"),
    ])
    func aParaphraseWithoutCueWordsGetsItsTissue(_ question: String, _ tissue: String) throws {
        #expect(try concept(question) == tissue, "\(question)")
    }

    @Test(arguments: ["What is the capital of France?", "How do I reset my password?", "怎么做红烧肉？", "明天的天气怎么样？"])
    func anOffTopicQuestionGetsNoTissue(_ question: String) throws {
        #expect(try concept(question) == nil, "\(question)")
    }

    @Test func anUncalibratedEncoderGetsNoConcepts() {
        #expect(TissueConcepts.floor(encoder: "all-MiniLM-L6-v2", .en) == nil)
        #expect(TissueConcepts.floor(encoder: "multilingual-e5-small", .zh) != nil)
    }

    @Test func theRetrieverSearchesTheTissueTermsUnlessExpansionIsOff() throws {
        let encoder = try #require(InstalledE5.encoder)
        let question = "What are the cushions of soft yellow tissue wrapped around the outside of the colon?"
        #expect(PathologyThesaurus.expansion(of: question)?.contains("adipose") != true)
        let reader = RecordingReader()
        var retriever = Retriever(reader: reader, imageEncoder: nil, textEncoder: encoder)
        retriever.expandsQueries = true
        let expanded = try retriever.retrieve(RetrievalQuery(text: question))
        #expect(reader.lexicalTexts.last?.contains("adipocytes") == true)
        #expect(expanded.timings["concepts"] != nil)
        retriever.expandsQueries = false
        let plain = try retriever.retrieve(RetrievalQuery(text: question))
        #expect(reader.lexicalTexts.last == question)
        #expect(plain.timings["concepts"] == nil)
    }

    @Test func aDamagedCacheFileIsIgnoredAndRewritten() throws {
        let encoder = try #require(InstalledE5.encoder)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-concepts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["ATLASQA_CACHE": folder.path]
        let question = try encoder.embed(["Which tiny dark round cells gather to guard the body against germs?"], role: .query)[0]
        let fresh = try TissueConcepts(encoder: encoder, environment: environment)
        let file = try #require(try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).first)
        let size = try Data(contentsOf: file).count
        // Cut short, as by a full disk: not read, embedded again, written whole.
        try Data(try Data(contentsOf: file).prefix(size / 2)).write(to: file)
        let rebuilt = try TissueConcepts(encoder: encoder, environment: environment)
        #expect(try Data(contentsOf: file).count == size)
        #expect(rebuilt.match(question, language: .en) == fresh.match(question, language: .en))
        #expect(fresh.match(question, language: .en)?.name == "lymphocytes")
        // Read back from the file, the same vectors.
        let cached = try TissueConcepts(encoder: encoder, environment: environment)
        #expect(cached.termVectors == fresh.termVectors)
    }
}

/// An empty atlas that records what the lexical channel was asked to search.
final class RecordingReader: AtlasReader, @unchecked Sendable {
    private let lock = NSLock()
    private var texts: [String] = []
    /// `@unchecked Sendable`: `texts` is only touched under `lock`.
    var lexicalTexts: [String] { lock.withLock { texts } }

    func encoders() throws -> [EncoderRecord] { [] }
    func nearestPassages(to vector: [Float], encoder: String, k: Int) throws -> [PassageHit] { [] }
    func nearestImages(to vector: [Float], encoder: String, k: Int) throws -> [ImageHit] { [] }
    func lexicalSearch(_ text: String, k: Int) throws -> [PassageHit] {
        lock.withLock { texts.append(text) }
        return []
    }
    func passages(ids: [String]) throws -> [Passage] { [] }
    func passages(ofEntries ids: [String]) throws -> [Passage] { [] }
    func entrySummaries(ids: [String]) throws -> [String: EntrySummary] { [:] }
    func entry(id: String) throws -> Entry? { nil }
    func imageData(entry: String, file: String) throws -> Data? { nil }
}

@Suite struct OtherOrganTests {
    @Test(arguments: [
        ("How is invasive breast carcinoma graded?", true),
        ("What does a normal glomerulus look like?", true),
        ("乳腺浸润性癌如何分级？", true),
        ("Is this lymph node involved?", true),
        ("What is the soft outer layer around the bowel?", false),
        ("Sheets of small round dark cells packed together", false),
        ("肠子外面软软的那层是什么？", false),
        ("Which cells deliver the mucus?", false),
    ])
    func questionsThatNameAnotherOrganThanTheBowelAreKnown(question: String, other: Bool) {
        #expect(OrganNames.otherOrgans(in: question).isEmpty == !other)
    }

    @Test func theOrganIsNamedAsTheQuestionWritesIt() {
        #expect(OrganNames.otherOrgans(in: "What does a normal glomerulus look like?") == ["glomerulus"])
        #expect(OrganNames.otherOrgans(in: "肾小球的正常结构是什么样的？") == ["肾"])
    }
}
