import AtlasCore
import Answering
import Foundation
import Testing

@Suite struct WordingGuardTests {
    let guardian = WordingGuard()

    static func containsBannedPhrase(_ text: String) -> Bool {
        let lower = text.lowercased()
        return WordingGuard.bannedPhrases.contains { lower.contains($0.lowercased()) }
    }

    @Test func absoluteEnglishWordingIsSoftenedAndReported() {
        let text = """
            This is definitely DCIS [1]. Definitely no invasion is seen [2]. Comedo necrosis is diagnostic of \
            high grade [1]. The confirmed diagnosis is ductal carcinoma in situ [1]. This is an invasive ductal \
            carcinoma [3].
            """
        let result = guardian.review(text, language: .en, support: .strong)
        #expect(result.text.contains("This may be DCIS [1]."))
        #expect(result.text.contains("Possibly no invasion is seen [2]."))
        #expect(result.text.contains("is suggestive of high grade [1]."))
        #expect(result.text.contains("A possible diagnosis is ductal carcinoma in situ [1]."))
        #expect(result.text.contains("This may represent an invasive ductal carcinoma [3]."))
        #expect(result.softened.count == 5)
        #expect(!Self.containsBannedPhrase(result.text))
        #expect(WordingGuard.absoluteWording(in: result.text).isEmpty)
    }

    @Test func absoluteChineseWordingIsSoftenedAndNegationsKeepTheirSense() {
        let text = "该病变确诊为导管原位癌[1]。细胞肯定是肿瘤性的[2]。毫无疑问，存在粉刺样坏死[1]。仅凭此图不能确诊[1]。这不一定是浸润[3]。"
        let result = guardian.review(text, language: .zh, support: .moderate)
        #expect(result.text.contains("该病变提示可能为导管原位癌[1]。"))
        #expect(result.text.contains("细胞可能是肿瘤性的[2]。"))
        #expect(result.text.contains("可能存在粉刺样坏死[1]。"))
        #expect(result.text.contains("仅凭此图不能据此下结论[1]。"))
        #expect(result.text.contains("这不一定是浸润[3]。"))  // "not necessarily" is already cautious
        let stated = guardian.review("这是浸润性导管癌[3]。导管原位癌是局限于导管内的肿瘤[1]。", language: .zh, support: .weak)
        #expect(stated.text.hasPrefix("这可能是浸润性导管癌[3]。导管原位癌是局限于导管内的肿瘤[1]。"))
        #expect(result.softened.sorted() == ["不能确诊", "确诊为", "肯定是", "毫无疑问，"].sorted())
        #expect(!Self.containsBannedPhrase(result.text))
    }

    @Test func anAbsoluteAdverbQualifyingAFindingKeepsItsSense() {
        let text = "Even one unequivocally distorted crypt favours a sessile serrated lesion [2]. It is unequivocally SSL [2]."
        let result = guardian.review(text, language: .en, support: .moderate)
        #expect(result.text.hasPrefix("Even one clearly distorted crypt favours a sessile serrated lesion [2]. It may be SSL [2]."))
        #expect(!Self.containsBannedPhrase(result.text))
    }

    @Test func cautiousWordingIsLeftAsWritten() {
        let text = "The features are consistent with DCIS [1]. Invasion is not seen in this field [2]."
        let result = guardian.review(text, language: .en, support: .moderate)
        #expect(result.softened.isEmpty)
        #expect(result.text.hasPrefix(text))
    }

    @Test func closingReminderIsPresentExactlyOnceInTheAnswersLanguage() {
        let en = AnswerFraming.closingReminder(.en)
        let zh = AnswerFraming.closingReminder(.zh)
        let text = "导管扩张，细胞单一[1]。\n\(en)\n\(zh)\n\(zh)"
        let result = guardian.review(text, language: .zh, support: .weak)
        #expect(result.text.components(separatedBy: zh).count == 2)
        #expect(!result.text.contains(en))
        #expect(result.text.hasSuffix(zh))
        #expect(result.text.contains(AnswerFraming.supportLine(.weak, language: .zh)))
    }

    @Test func aNotCoveredAnswerGetsNoSupportLineOrReminder() {
        let result = guardian.review(AnswerFraming.notCovered(.en), language: .en, support: .weak)
        #expect(result.text == AnswerFraming.notCovered(.en))
    }
}
