import Answering
import Testing

@Suite struct SentenceSplitterTests {
    @Test func englishSentencesKeepAbbreviationsAndDecimalsWhole() {
        let text = """
            Nuclei are enlarged, e.g. up to 2.5 times a red cell. Compare UDH vs. DCIS on low power! \
            Is the myoepithelial layer present? H. pylori is not relevant here.
            """
        #expect(SentenceSplitter.sentences(in: text) == [
            "Nuclei are enlarged, e.g. up to 2.5 times a red cell.",
            "Compare UDH vs. DCIS on low power!",
            "Is the myoepithelial layer present?",
            "H. pylori is not relevant here.",
        ])
    }

    @Test func chineseSentencesEndAtChineseMarks() {
        let text = "肌上皮层完整。核圆形，分布均匀；常见粉刺样坏死！是否有浸润？"
        #expect(SentenceSplitter.sentences(in: text) == ["肌上皮层完整。", "核圆形，分布均匀；", "常见粉刺样坏死！", "是否有浸润？"])
    }

    @Test func listItemsAndParagraphsAreSeparateAndWrappedLinesJoin() {
        let text = """
            ## Pitfalls
            Tangential sections can mimic
            invasion

            - Look for a myoepithelial layer
            2. Check the basement membrane
            """
        #expect(SentenceSplitter.sentences(in: text) == [
            "Pitfalls", "Tangential sections can mimic invasion", "Look for a myoepithelial layer",
            "Check the basement membrane",
        ])
    }

    @Test func citationsAfterTheEndMarkStayWithTheirSentence() {
        let text = "The duct is expanded. [1] Cells are monotonous.[2][3] 核圆形。[4]其余略。"
        #expect(SentenceSplitter.sentences(in: text) == [
            "The duct is expanded. [1]", "Cells are monotonous.[2][3]", "核圆形。[4]", "其余略。",
        ])
    }
}

@Suite struct ContentTermsTests {
    @Test func englishTermsIgnoreStopWordsAndMatchAcrossInflection() {
        let question = ContentTerms.terms(of: "What do the nuclei of these tumours look like?")
        let passage = ContentTerms.terms(of: "The tumor has a large nucleus.")
        #expect(question == ["nucleus", "tumor"])
        #expect(question.isSubset(of: passage))
    }

    @Test func chineseTermsAreBigramsBetweenFunctionCharacters() {
        let terms = ContentTerms.terms(of: "导管原位癌的镜下特点是什么？")
        #expect(terms.contains("导管"))
        #expect(terms.contains("原位"))
        #expect(terms.contains("镜下"))
        #expect(!terms.contains("什么"))
        #expect(!terms.contains { $0.contains("的") })
    }

    @Test func fillerWordsSplitChineseLikeStopCharacters() {
        // "这张图像中的腺体": the filler 图像 must not leave the false pair 像中, which matched
        // "在HE明场图像中" in the slide-background entry and pulled it into an adenocarcinoma answer.
        let terms = ContentTerms.terms(of: "这张图像中的腺体有哪些恶性特征？")
        #expect(!terms.contains("像中"))
        #expect(!terms.contains("图像"))
        #expect(terms.isSuperset(of: ["腺体", "恶性", "特征"]))
    }

    @Test func latinWordsInsideAChineseQuestionAreTerms() {
        #expect(ContentTerms.terms(of: "DCIS和UDH怎么鉴别？").isSuperset(of: ["dcis", "udh", "鉴别"]))
    }
}
