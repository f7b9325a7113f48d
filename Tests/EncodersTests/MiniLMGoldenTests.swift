import AtlasCore
import Testing
@testable import Encoders

/// all-MiniLM-L6-v2 against Hugging Face `tokenizers` (ids) and a numpy BERT (embeddings), over the
/// sentences in Fixtures/minilm-golden.json. Runs when models/ holds the model (Scripts/setup; CI does).
@Suite(.enabled(if: TextFixtures.installed(MiniLMEncoder.modelID), "models/all-MiniLM-L6-v2 not installed: run Scripts/setup"))
struct MiniLMGoldenTests {
    let golden: TextFixtures.Golden
    let encoder: MiniLMEncoder

    init() throws {
        golden = try TextFixtures.load("minilm-golden.json")
        encoder = try TextFixtures.miniLM.get()
    }

    @Test func fixturesCoverTheHardCases() {
        #expect(golden.cases.count >= 20)
        #expect(golden.cases.contains { $0.text.isEmpty })
        #expect(golden.cases.contains { $0.ids.count == 256 })  // a text cut at 256 tokens
    }

    @Test func tokenIDsAreIdentical() {
        for c in golden.cases {
            #expect(encoder.tokenize(c.text) == c.ids, "\(c.text.prefix(60))")
        }
    }

    @Test func embeddingsAreWithin1e5OfTheReference() throws {
        let vectors = try encoder.embed(golden.cases.map(\.text), role: .passage)
        #expect(vectors.count == golden.cases.count)
        for (c, v) in zip(golden.cases, vectors) {
            let difference = TextFixtures.maxAbsDifference(v, c.embedding)
            #expect(difference <= 1e-5, "\(c.text.prefix(60)): max abs difference \(difference)")
        }
    }

    @Test func aParaphraseIsNearerThanAnUnrelatedSentence() throws {
        let v = try encoder.embed(
            ["crowded hyperchromatic nuclei", "marked nuclear atypia", "the patient paid the parking fee"], role: .passage)
        #expect(TextFixtures.cosine(v[0], v[1]) > TextFixtures.cosine(v[0], v[2]) + 0.1)
    }
}
