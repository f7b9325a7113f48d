import Answering
import AtlasCore
import Foundation
import Testing

/// The prompt's layout and budget, without a server.
@Suite("Decoder prompt")
struct DecoderPromptTests {
    let estimator = PromptTokenEstimator()

    @Test("token estimate: a CJK character is one token, other text about 3.5 characters per token")
    func estimate() {
        #expect(estimator.tokens("导管原位癌") == 5)
        #expect(estimator.tokens(String(repeating: "a", count: 35)) == 10)
        #expect(estimator.tokens("ab") == 1)
        #expect(estimator.tokens("") == 0)
        #expect(estimator.tokens("导管 duct") == 2 + 2)  // 2 CJK + " duct" = 5 chars → 2
    }

    @Test("a prefix fits its budget and ends at a word")
    func prefix() {
        let text = String(repeating: "monotonous cells ", count: 40)
        let cut = estimator.prefix(of: text, fitting: 20)
        #expect(estimator.tokens(cut) <= 20)
        #expect(estimator.tokens(cut) >= 15)
        #expect(cut.hasSuffix("cells") || cut.hasSuffix("monotonous"))
    }

    @Test("references that do not fit are left out from the end; numbering never skips")
    func referencesFitted() {
        let long = (1...6).map { i in
            Reference(
                rank: i, entry: "e\(i)", passage: "e\(i)#1", title: "Entry \(i)", heading: "Features",
                text: String(repeating: "Ducts are expanded by monotonous cells. ", count: 12), source: "project-authored",
                image: nil, scores: .init(fused: 0.03))
        }
        let request = DecodeRequest(question: "What do the ducts show?", language: .en, references: long, support: .moderate)
        for budget in [400, 700, 1000, 3000] {
            let prompt = PromptBuilder(tokenBudget: budget).build(request)
            #expect(prompt.estimatedTokens <= budget, "budget \(budget)")
            #expect(prompt.includedReferences >= 1)
            for n in 1...6 {
                #expect(prompt.userText.contains("[\(n)] Entry \(n)") == (n <= prompt.includedReferences), "budget \(budget), [\(n)]")
            }
        }
        #expect(PromptBuilder(tokenBudget: 3000).build(request).includedReferences == 6)
        #expect(PromptBuilder(tokenBudget: 3000).build(request).truncatedLastReference == false)
    }

    @Test("a quarter of the budget is held for the newest turns")
    func historyReserve() {
        let history = (1...10).map { ConversationTurn(question: "Q\($0) " + String(repeating: "word ", count: 20), answer: "A\($0) " + String(repeating: "word ", count: 40)) }
        let many = (1...20).map { i in
            Reference(
                rank: i, entry: "e\(i)", passage: "e\(i)#1", title: "Entry \(i)", heading: nil,
                text: String(repeating: "Ducts are expanded by monotonous cells. ", count: 12), source: "s",
                image: nil, scores: .init(fused: 0.03))
        }
        let request = DecodeRequest(question: "And the nuclei?", language: .en, references: many, support: .moderate, history: history)
        let prompt = PromptBuilder(tokenBudget: 2000).build(request)
        #expect(prompt.includedTurns >= 1)
        #expect(prompt.history.last?.text.hasPrefix("A10") == true)
        #expect(prompt.estimatedTokens <= 2000)
        #expect(prompt.includedReferences < 20)
    }

    @Test("earlier answers go in without their citations or the fixed closing lines")
    func historyCleaned() {
        let earlier = ConversationTurn(
            question: "What is this?",
            answer: "Solid sheets of cells [1][2]. 细胞核均匀[3]。\n" + AnswerFraming.supportLine(.moderate, language: .en) + "\n"
                + AnswerFraming.closingReminder(.en))
        let request = DecodeRequest(
            question: "And the nuclei?", language: .en, references: DecoderFixtures.references, support: .moderate,
            history: [earlier])
        let prompt = PromptBuilder(tokenBudget: 4000).build(request)
        #expect(prompt.history.map(\.role) == ["user", "assistant"])
        #expect(prompt.history[0].text == "What is this?")
        #expect(prompt.history[1].text == "Solid sheets of cells. 细胞核均匀。")
    }

    @Test("the rules say what the issue asks, in both languages")
    func rules() {
        let en = PromptRules.system(.en)
        for phrase in ["only from the image and the numbered references", "[n]", "do not cover", "never as a diagnosis", "pathologist"] {
            #expect(en.contains(phrase), "\(phrase)")
        }
        let zh = PromptRules.system(.zh)
        for phrase in ["只能依据图像和", "[n]", "没有涵盖", "不得作出诊断", "病理医师确认"] {
            #expect(zh.contains(phrase), "\(phrase)")
        }
    }
}
