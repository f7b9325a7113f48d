import Testing
@testable import Answering
import Retrieval

/// Which section of an entry a question asks for, in English and Chinese, and which of its words asked.
@Suite struct SectionIntentTests {
    @Test(arguments: [
        ("What should it be told apart from?", [SectionIntent.differential]),
        ("How is this distinguished from an adenoma?", [.differential]),
        ("DCIS vs UDH", [.differential]),
        ("What are the pitfalls here?", [.pitfalls]),
        ("What features suggest malignancy, and what is the prognosis?", [.features, .clinical]),
        ("需要与什么鉴别？", [.differential]),
        ("镜下特点是什么？诊断时要注意什么？", [.features, .pitfalls]),
        ("What is this?", []),
        ("Are there obvs signs of invasion?", []),
    ])
    func questionsNameTheSectionsTheyAskFor(question: String, expected: [SectionIntent]) {
        #expect(SectionIntent.intents(of: question) == Set(expected))
    }

    @Test func theWordsThatAskedAreRemovedWholeAndNothingElse() {
        let stripped = SectionIntent.strippingCues(from: "How is DCIS differentiated from UDH, versus obvs invasion?")
        #expect(ContentTerms.terms(of: stripped) == ContentTerms.terms(of: "DCIS UDH obvs invasion"))
        #expect(ContentTerms.terms(of: SectionIntent.strippingCues(from: "需要与腺瘤鉴别")) == ContentTerms.terms(of: "需要与腺瘤"))
    }

    @Test(arguments: [
        ("What are the pitfalls here?", true),
        ("What are the diagnostic pitfalls with this lesion?", true),
        ("What is the differential diagnosis?", true),
        ("鉴别诊断有哪些？", true),
        ("这里有哪些诊断陷阱？", true),
        ("What are the pitfalls of grading DCIS?", false),
        ("How is this distinguished from an adenoma?", false),
        ("结直肠腺癌需要与什么鉴别？", false),
        ("What is this?", false),
    ])
    func aQuestionThatNamesOnlyASectionIsToldApartFromOneThatNamesATissue(question: String, only: Bool) {
        #expect(SectionIntent.namesOnlyASection(question) == only)
    }

    @Test func headingsAreMatchedInEitherLanguage() {
        #expect(SectionIntent.differential.matches(heading: "Differential diagnosis"))
        #expect(SectionIntent.differential.matches(heading: "鉴别诊断"))
        #expect(SectionIntent.features.matches(heading: "镜下特点"))
        #expect(!SectionIntent.pitfalls.matches(heading: "Microscopic features"))
        #expect(!SectionIntent.clinical.matches(heading: nil))
    }
}
