import AtlasCore
import Answering
import Foundation
import Testing

@Suite struct PromptBuilderTests {
    func request(_ question: String, history: [ConversationTurn] = [], references: [Reference] = AtlasFixtures.imageQueryReferences) -> DecodeRequest {
        DecodeRequest(
            question: question, language: Language.detect(question), references: references, support: .moderate,
            history: history)
    }

    @Test func referencesAreNumberedInTheirOrderWithTitleHeadingAndSource() {
        let prompt = PromptBuilder().build(request("What does this image show?"))
        let references = AtlasFixtures.imageQueryReferences
        #expect(prompt.includedReferences == references.count)
        var cursor = prompt.user.startIndex
        for (i, reference) in references.enumerated() {
            let line = "[\(i + 1)] \(reference.title) — \(reference.heading!): "
            let found = prompt.user.range(of: line, range: cursor..<prompt.user.endIndex)
            #expect(found != nil, "reference \(i + 1) missing or out of order")
            if let found { cursor = found.upperBound }
        }
        #expect(prompt.user.hasPrefix("Question: What does this image show?"))
        #expect(prompt.user.contains("(project-authored (AtlasQA teaching atlas))"))
        #expect(prompt.system.contains("[n]"))
        #expect(prompt.system.hasSuffix("Answer in English."))
    }

    @Test func chineseQuestionGetsChineseRules() {
        let prompt = PromptBuilder().build(request("这是什么病变？"))
        #expect(prompt.system.hasSuffix("请用中文回答。"))
        #expect(prompt.user.hasPrefix("问题：这是什么病变？"))
        #expect(prompt.user.contains("支持程度：中等。"))
    }

    @Test func longConversationStaysWithinTheBudgetKeepingTheNewestTurns() {
        let turns = (1...60).map { i in
            ConversationTurn(
                question: "Turn \(i): do these cells invade the basement membrane in this field?",
                answer: String(repeating: "The myoepithelial layer appears retained around the duct [1]. ", count: 12))
        }
        let builder = PromptBuilder(tokenBudget: 3000)
        let prompt = builder.build(request("And the next field?", history: turns))
        #expect(prompt.estimatedTokens <= 3000)
        let measured = [prompt.system, prompt.user].map(TokenEstimate.tokens(in:)).reduce(0, +)
            + prompt.history.map { TokenEstimate.tokens(in: $0.question) + TokenEstimate.tokens(in: $0.answer) }.reduce(0, +)
        #expect(measured <= 3000)
        #expect(prompt.includedReferences == AtlasFixtures.imageQueryReferences.count)  // references come before turns
        #expect(!prompt.history.isEmpty && prompt.history.count < turns.count)
        #expect(prompt.history.last == turns.last)  // the newest turns are the ones kept, oldest first
        #expect(prompt.history == Array(turns.suffix(prompt.history.count)))
    }

    @Test func tightBudgetCutsTheLastReferenceThatFitsAndDropsTheRest() {
        let builder = PromptBuilder(tokenBudget: 520)
        let prompt = builder.build(request("What does this image show?"))
        #expect(prompt.estimatedTokens <= 520)
        #expect(prompt.includedReferences >= 1)
        #expect(prompt.includedReferences < AtlasFixtures.imageQueryReferences.count)
        #expect(prompt.user.hasSuffix("…"))
        #expect(!prompt.user.contains("[\(prompt.includedReferences + 1)] "))
    }

    @Test func chineseTextIsCountedAtLeastOneTokenPerCharacter() {
        #expect(TokenEstimate.tokens(in: "导管原位癌") == 5)
        #expect(TokenEstimate.tokens(in: "abcdef") == 2)
        #expect(TokenEstimate.tokens(in: AtlasFixtures.dcisChinese) >= AtlasFixtures.dcisChinese.count - 10)
    }
}
