import AtlasCore
import Retrieval
import Testing

@Suite struct PathologyThesaurusTests {
    @Test func everydayEnglishGetsTheAtlasTerms() {
        let terms = PathologyThesaurus.expansion(of: "Which field shows slimy, jelly-like secretion?") ?? ""
        #expect(terms.contains("mucin"))
        #expect(PathologyThesaurus.expansion(of: "Where is the bleeding?")?.contains("haemorrhage") == true)
        #expect(PathologyThesaurus.expansion(of: "Where are many tiny immune cells crowded together?")?.contains("lymphocytes") == true)
    }

    @Test func chineseGetsTheEnglishTerms() {
        let terms = PathologyThesaurus.expansion(of: "滑腻的胶冻样分泌物是什么？") ?? ""
        #expect(terms.contains("mucin"))
        #expect(PathologyThesaurus.expansion(of: "脂肪组织在镜下是什么样子？")?.contains("adipose") == true)
        #expect(PathologyThesaurus.expansion(of: "结直肠腺癌的上皮有什么特点？")?.contains("adenocarcinoma") == true)
    }

    @Test func cuesMatchAtTheStartOfWordsOnly() {
        // "normal" inside "abnormal", "gut" inside "regutted" are not cues; "bleed" starts "bleeding".
        #expect(PathologyThesaurus.expansion(of: "Is this abnormal?")?.contains("benign") != true)
        #expect(PathologyThesaurus.expansion(of: "bleeding") != nil)
    }

    @Test func aCancerOfGlandsIsAnAdenocarcinoma() {
        #expect(PathologyThesaurus.expansion(of: "What do cancerous gland cells look like?")?.contains("adenocarcinoma") == true)
        #expect(PathologyThesaurus.expansion(of: "What do gland cells look like?")?.contains("adenocarcinoma") != true)
    }

    @Test func anOffTopicQuestionIsLeftAlone() {
        #expect(PathologyThesaurus.expansion(of: "What is the capital of France?") == nil)
        #expect(PathologyThesaurus.expanded("法国的首都是哪里？") == "法国的首都是哪里？")
        #expect(PathologyThesaurus.expanded("Where is the fat?") == "Where is the fat?\nadipose tissue adipocytes")
    }
}

@Suite struct TextOnlyFusionTests {
    @Test func withoutAnImageWeakLexicalCoverageLeavesTheDenseChannelToDecide() {
        // A paraphrase: the dense channel ranks the mucus passage first, the lexical one matched "cells".
        let text = ChannelRanking(channel: .text, bestFirst: [(id: "mucus", score: 0.84), (id: "mucosa", score: 0.83)])
        let lexical = ChannelRanking(
            channel: .lexical, bestFirst: [(id: "mucosa", score: 2.1), (id: "stroma", score: 1.2), (id: "mucus", score: 0.4)])
        let textOnly = FusionWeights().scaled(image: nil, text: .moderate, lexical: .weak)
        #expect(textOnly.lexical == 0)
        let fused = ReciprocalRankFusion.fuse([text, lexical], weights: textOnly)
        #expect(fused["mucus"]! > fused["mucosa"]!)
        // Weighted by levels alone (text moderate ×1.5, lexical weak ×1), the incidental lexical match wins.
        let flat = ReciprocalRankFusion.fuse([text, lexical], weights: FusionWeights(text: 1.5, lexical: 1))
        #expect(flat["mucosa"]! > flat["mucus"]!)
    }

    @Test func wellCoveredWordsStillCount() {
        let w = FusionWeights().scaled(image: nil, text: .weak, lexical: .strong)
        #expect(w.lexical == 2)
        // With an image the lexical channel keeps its (scaled) vote.
        #expect(FusionWeights().scaled(image: .strong, text: .weak, lexical: .weak).lexical == 1)
    }
}

@Suite struct CrossLingualSupportTests {
    @Test func aCrossLingualMatchIsGradedOnItsOwnScale() {
        let same = SupportThresholds.forText("multilingual-e5-small", crossLingual: false)
        let cross = SupportThresholds.forText("multilingual-e5-small", crossLingual: true)
        #expect(cross.moderate < same.moderate)
        // A Chinese question's cosine to the right English passage (0.81–0.85 measured) is at least moderate.
        let evidence = SupportEvidence(text: ("multilingual-e5-small", 0.82), lexicalCoverage: 0, textCrossLingual: true)
        #expect(SupportGrader.grade(evidence) >= .moderate)
        // The same cosine within one language is not.
        #expect(SupportGrader.grade(SupportEvidence(text: ("multilingual-e5-small", 0.82), lexicalCoverage: 0)) < .moderate)
    }

    @Test func anOffTopicChineseQuestionStaysUnsupported() {
        // Off-topic Chinese questions reach 0.73–0.77 against English passages.
        let evidence = SupportEvidence(text: ("multilingual-e5-small", 0.77), lexicalCoverage: 0, textCrossLingual: true)
        #expect(SupportGrader.grade(evidence) == Support.none)
    }

    @Test func otherEncodersKeepOneScale() {
        #expect(SupportThresholds.forText("all-MiniLM-L6-v2", crossLingual: true) == SupportThresholds.forEncoder("all-MiniLM-L6-v2"))
    }
}
