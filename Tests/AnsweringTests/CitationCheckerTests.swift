import AtlasCore
import Answering
import Testing

@Suite struct CitationCheckerTests {
    let references = Array(AtlasFixtures.dcisQuestionReferences.prefix(3))
    let checker = CitationChecker()

    @Test func commonCitationFormsBecomePlainNumbers() {
        let answer = """
            The duct is filled by monotonous cells [1, 2]. Spaces are rigid and round [1][3]. \
            Necrosis may be central [1–3]. 肌上皮层完整【2】。Myoepithelial cells are absent around invasive nests [3-3].
            """
        let result = checker.check(answer, references: references)
        #expect(result.text.contains("monotonous cells [1][2]."))
        #expect(result.text.contains("round [1][3]."))
        #expect(result.text.contains("central [1][2][3]."))
        #expect(result.text.contains("肌上皮层完整[2]。"))
        #expect(result.text.contains("invasive nests [3]."))
        #expect(result.citations.map(\.n) == [1, 2, 3])
        #expect(result.removedCount == 0)
    }

    @Test func inventedCitationsAreRemovedAndCounted() {
        let answer = "Comedo necrosis suggests high grade [9]. The myoepithelial layer is intact [2, 7]. Nuclei are round [0][1]."
        let result = checker.check(answer, references: references)
        #expect(result.removedCount == 3)
        #expect(result.text == "Comedo necrosis suggests high grade. The myoepithelial layer is intact [2]. Nuclei are round [1].")
        #expect(result.citations.map(\.n) == [1, 2])
        #expect(result.citations[0].passage == references[0].passage)
        #expect(result.citations[1].passage == references[1].passage)
        // The sentence that lost its only citation now makes an uncited claim.
        #expect(result.uncitedSentences == ["Comedo necrosis suggests high grade."])
    }

    @Test func everyCitationIsOneOfTheReferencesWhateverTheDecoderWrote() {
        let messy = "A [12] b [2,3] c [4–6] d 【1】 e [1][1] f [ 3 ] g [-1] h [2–40] with many words here."
        let result = checker.check(messy, references: references)
        let numbers = CitationInvariant.citedNumbers(in: result.text)
        #expect(!numbers.isEmpty)
        #expect(numbers.allSatisfy { (1...references.count).contains($0) })
        #expect(Set(numbers) == Set(result.citations.map(\.n)))
        #expect(!result.text.contains("[1][1]"))
    }

    @Test func claimsWithoutCitationsAreFlaggedButFramingAndQuestionsAreNot() {
        let answer = """
            Low-grade DCIS has evenly spaced cells with round nuclei [1]. High-grade DCIS often shows comedo necrosis \
            with calcification. Is there invasion? 粉刺样坏死常见于高级别病变。
            \(AnswerFraming.supportLine(.moderate, language: .en))
            \(AnswerFraming.closingReminder(.en))
            """
        let result = checker.check(answer, references: references)
        #expect(result.uncitedSentences == [
            "High-grade DCIS often shows comedo necrosis with calcification.", "粉刺样坏死常见于高级别病变。",
        ])
    }

    @Test func noReferencesMeansEveryCitationGoes() {
        let result = checker.check("Cells are monotonous [1].", references: [])
        #expect(result.text == "Cells are monotonous.")
        #expect(result.citations.isEmpty)
        #expect(result.removedCount == 1)
    }

    @Test func bracketsThatAreNotCitationsAreLeftAlone() {
        let text = "Grade [high] and stain [H&E] are noted [2]."
        #expect(checker.check(text, references: references).text == text)
    }
}
