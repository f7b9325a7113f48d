import AtlasCore
import Foundation
import Testing
@testable import Encoders

/// A randomly initialised 2-layer BERT with reference outputs from the numpy implementation in
/// Scripts/golden/make_fixtures.py: checks tokenizer, loader and forward pass without real weights.
@Suite struct TinyBertTests {
    let golden: TextFixtures.Golden
    let encoder: MiniLMEncoder

    init() throws {
        golden = try TextFixtures.load("tiny-bert.json")
        encoder = try MiniLMEncoder(directory: TextFixtures.directory.appendingPathComponent("tiny-bert"), id: "tiny-bert")
    }

    @Test func tokenIDsMatchHuggingFaceWordPiece() {
        for c in golden.cases {
            #expect(encoder.tokenize(c.text) == c.ids, "\(c.text)")
        }
    }

    @Test func truncatesToTheModelsPositions() {
        // max_position_embeddings is 24 here, so "a a a …" (40 words) keeps 22 pieces plus [CLS]/[SEP].
        #expect(encoder.tokenize(String(repeating: "a ", count: 40)).count == 24)
    }

    @Test func embeddingsMatchTheNumpyReference() throws {
        let vectors = try encoder.embed(golden.cases.map(\.text), role: .passage)
        for (c, v) in zip(golden.cases, vectors) {
            #expect(TextFixtures.maxAbsDifference(v, c.embedding) <= 1e-5, "\(c.text)")
        }
    }

    @Test func batchingDoesNotChangeVectors() throws {
        let texts = golden.cases.map(\.text)
        let batched = try encoder.embed(texts, role: .passage)
        for (text, vector) in zip(texts, batched) {
            let alone = try encoder.embed([text], role: .passage)[0]
            #expect(TextFixtures.maxAbsDifference(alone, vector) <= 1e-6)
        }
    }

    @Test func vectorsAreUnitLength() throws {
        for v in try encoder.embed(["The crowded hyperchromatic nuclei!", ""], role: .query) {
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
            #expect(v.count == encoder.dimension)
        }
    }

    @Test func anEmptyBatchGivesNoVectors() throws {
        #expect(try encoder.embed([], role: .passage).isEmpty)
    }
}
