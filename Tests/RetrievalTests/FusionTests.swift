import AtlasCore
import Retrieval
import Testing

@Suite struct FusionTests {
    @Test func aPassageRankedByTwoChannelsBeatsOneRankedFirstByOne() {
        let image = ChannelRanking(channel: .image, bestFirst: [(id: "a", score: 0.9), (id: "b", score: 0.8)])
        let lexical = ChannelRanking(channel: .lexical, bestFirst: [(id: "c", score: 9.0), (id: "b", score: 5.0)])
        let fused = ReciprocalRankFusion.fuse([image, lexical], weights: FusionWeights())
        // b: 1/62 + 1/62 > a: 1/61 and c: 1/61
        #expect(fused["b"]! > fused["a"]!)
        #expect(fused["b"]! > fused["c"]!)
        #expect(abs(fused["a"]! - 1.0 / 61.0) < 1e-7)
    }

    @Test func weightsScaleAChannelAndZeroWeightDropsIt() {
        let image = ChannelRanking(channel: .image, bestFirst: [(id: "a", score: 0.9)])
        let text = ChannelRanking(channel: .text, bestFirst: [(id: "b", score: 0.7)])
        let fused = ReciprocalRankFusion.fuse([image, text], weights: FusionWeights(image: 2, text: 1, lexical: 1))
        #expect(fused["a"]! > fused["b"]!)
        let imageOff = ReciprocalRankFusion.fuse([image, text], weights: FusionWeights(image: 0))
        #expect(imageOff["a"] == nil)
        #expect(imageOff["b"] != nil)
    }

    @Test func aChannelWithAConvincingMatchOutweighsOneWithout() {
        let w = FusionWeights().scaled(image: .strong, text: Support.none, lexical: .weak)
        #expect(w.image == 2)
        #expect(w.text == 0.25)
        #expect(w.lexical == 1)
        // An entry ranked first by a strong image channel beats one ranked first by two unconvincing ones.
        // As in the bundled atlas: empty glass is far down the image ranking (20th) but first by text and words.
        let others = (1...18).map { (id: "entry-\($0)", score: Float(0.98 - 0.01 * Double($0))) }
        let image = ChannelRanking(channel: .image, bestFirst: [(id: "tumour", score: 0.99)] + others + [(id: "glass", score: 0.65)])
        let text = ChannelRanking(channel: .text, bestFirst: [(id: "glass", score: 0.81), (id: "tumour", score: 0.80)])
        let lexical = ChannelRanking(channel: .lexical, bestFirst: [(id: "glass", score: 2.8)])
        let plain = ReciprocalRankFusion.fuse([image, text, lexical], weights: FusionWeights())
        #expect(plain["glass"]! > plain["tumour"]!)
        let adapted = ReciprocalRankFusion.fuse([image, text, lexical], weights: FusionWeights().scaled(image: .strong, text: Support.none, lexical: Support.none))
        #expect(adapted["tumour"]! > adapted["glass"]!)
    }

    @Test func firstOccurrenceKeepsItsRank() {
        let r = ChannelRanking(channel: .lexical, bestFirst: [(id: "a", score: 3), (id: "a", score: 1), (id: "b", score: 0.5)])
        #expect(r.ranks["a"]?.rank == 1)
        #expect(r.ranks["b"]?.rank == 3)
    }
}

@Suite struct QueryTermsTests {
    @Test func stopWordsDropAndVariantsMeet() {
        let terms = QueryTerms("What are the nuclei like in this invading tumour?")
        #expect(!terms.terms.contains("what"))
        #expect(!terms.terms.contains("the"))
        #expect(terms.coverage(in: "Nuclear pleomorphism; tumour cells invade the stroma") == 1)
    }

    @Test func chineseBecomesBigramsSplitAtFunctionCharacters() {
        let terms = QueryTerms("这是导管原位癌吗？")
        #expect(terms.terms.contains("导管"))
        #expect(terms.terms.contains("原位"))
        #expect(!terms.terms.contains { $0.contains("是") || $0.contains("吗") })
        #expect(terms.coverage(in: "导管原位癌的镜下特点") == 1)
        #expect(terms.coverage(in: "脂肪组织") == 0)
    }

    @Test func offTopicQuestionHasNoCoverageOfPathologyText() {
        let terms = QueryTerms("What is the capital of France?")
        #expect(terms.coverage(in: "Ductal carcinoma in situ: expanded ducts filled by monotonous cells with comedo necrosis") == 0)
    }
}

@Suite struct SupportGraderTests {
    @Test func noEvidenceIsNone() {
        #expect(SupportGrader.grade(SupportEvidence()) == .none)
        #expect(SupportGrader.grade(SupportEvidence(lexicalCoverage: 0)) == .none)
    }

    @Test func levelsFollowThresholds() {
        let t = SupportThresholds.forEncoder("all-MiniLM-L6-v2")
        #expect(SupportGrader.grade(SupportEvidence(text: ("all-MiniLM-L6-v2", t.strong + 0.01))) == .strong)
        #expect(SupportGrader.grade(SupportEvidence(text: ("all-MiniLM-L6-v2", t.moderate + 0.001))) == .moderate)
        #expect(SupportGrader.grade(SupportEvidence(text: ("all-MiniLM-L6-v2", t.weak - 0.01), lexicalCoverage: 0)) == .none)
    }

    @Test func aCloseImageMatchSupportsAGenericQuestion() {
        let strong = SupportThresholds.forEncoder("histo-v1").strong
        let e = SupportEvidence(image: ("histo-v1", strong + 0.005), lexicalCoverage: 0)
        #expect(SupportGrader.grade(e) == .strong)
    }

    @Test func aWeakImageMatchDoesNotRescueAnUnsupportedQuestion() {
        let weakImage = SupportThresholds.forEncoder("histo-v1").weak + 0.001
        #expect(SupportGrader.grade(SupportEvidence(image: ("histo-v1", weakImage), lexicalCoverage: 0)) == .none)
    }
}
