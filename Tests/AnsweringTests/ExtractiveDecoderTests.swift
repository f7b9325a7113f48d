import AtlasCore
import Answering
import Foundation
import Testing

@Suite struct ExtractiveDecoderTests {
    let decoder = ExtractiveDecoder()

    func decode(
        _ question: String, references: [Reference], support: Support = .strong, image: Bool = false
    ) async throws -> String {
        let request = DecodeRequest(
            question: question, language: Language.detect(question), references: references, support: support,
            image: image ? AtlasFixtures.pngSignature : nil, imageMimeType: image ? "image/png" : nil)
        return try await decoder.decode(request).text
    }

    /// The content sentences of an answer, each with the numbers it cites.
    func citedSentences(_ text: String) -> [(sentence: String, numbers: [Int])] {
        SentenceSplitter.sentences(in: text).map { ($0, CitationInvariant.citedNumbers(in: $0)) }
    }

    @Test func englishQuestionGetsTheSentencesThatAnswerItEachCited() async throws {
        let references = AtlasFixtures.dcisQuestionReferences
        let text = try await decode("How do I tell usual ductal hyperplasia from DCIS?", references: references)
        let content = citedSentences(text).filter { !$0.numbers.isEmpty }
        #expect((3...5).contains(content.count))
        // The differential passage ([2]) answers this question; it must be quoted, and first.
        #expect(content.first?.numbers == [2])
        #expect(content.contains { $0.sentence.contains("heterogeneous, streaming population") })
        // Each quoted sentence really is in the passage it cites.
        for (sentence, numbers) in content {
            #expect(numbers.count == 1)
            let quoted = sentence.replacingOccurrences(of: " [\(numbers[0])]", with: "").dropLast()
            #expect(references[numbers[0] - 1].text.contains(quoted), "\(sentence)")
        }
        #expect(!text.contains("导管"))  // an English answer quotes English passages
        #expect(text.contains(AnswerFraming.supportLine(.strong, language: .en)))
        #expect(text.hasSuffix(AnswerFraming.closingReminder(.en)))
    }

    @Test func chineseQuestionGetsChineseFramingAndPrefersChinesePassages() async throws {
        let references = AtlasFixtures.dcisQuestionReferences
        let text = try await decode("导管原位癌的镜下特点是什么？", references: references, support: .moderate)
        let content = citedSentences(text).filter { !$0.numbers.isEmpty }
        #expect(content.count >= 2)
        // Reference 4 is the entry's Chinese passage, ranked last; a Chinese question still quotes it.
        #expect(content.allSatisfy { $0.numbers == [4] })
        #expect(content.allSatisfy { Language.detect($0.sentence) == .zh })
        #expect(text.contains("参考支持程度：中等。"))
        #expect(text.hasSuffix(AnswerFraming.closingReminder(.zh)))
        #expect(!text.contains("Support from the atlas"))
    }

    @Test func chineseQuestionFallsBackToEnglishSentencesWhenNoChinesePassageWasRetrieved() async throws {
        let englishOnly = Array(AtlasFixtures.dcisQuestionReferences.prefix(3))
        let text = try await decode("导管原位癌的镜下特点是什么？", references: englishOnly)
        let content = citedSentences(text).filter { !$0.numbers.isEmpty }
        #expect(!content.isEmpty)
        #expect(content.allSatisfy { Language.detect($0.sentence) == .en })
        #expect(text.hasPrefix("") && text.contains("参考支持程度：强。"))
    }

    @Test func imageLineNamesTheEntryWhoseImagesResembleMost() async throws {
        let text = try await decode("What does this image show?", references: AtlasFixtures.imageQueryReferences, image: true)
        let firstLine = text.split(separator: "\n").first.map(String.init) ?? ""
        // UDH's image scored 0.88, above DCIS (0.71, fused rank 1): the top entry is UDH, reference [2].
        #expect(firstLine.hasPrefix("The image most resembles \(AtlasFixtures.udhTitle) [2]; also similar: \(AtlasFixtures.dcisTitle) [1]"))
        #expect(firstLine.components(separatedBy: AtlasFixtures.dcisTitle).count == 2)  // an entry is named once
        // IDC's image scored 0.64, well below the top 0.88: not called similar.
        #expect(!firstLine.contains("Invasive ductal carcinoma"))
        #expect(!firstLine.lowercased().contains("diagnos"))
    }

    @Test func chineseImageLineIsPhrasedAsResemblance() async throws {
        let text = try await decode("这张图像像什么病变？", references: AtlasFixtures.imageQueryReferences, image: true)
        #expect(text.hasPrefix("该图像最接近“\(AtlasFixtures.udhTitle)”[2]"))
    }

    @Test func chineseQuestionQuotesTheTopEntriesInEnglishWhenTheyHaveNoChinesePassage() async throws {
        // Only the weakly matching lymph-node entry has a Chinese passage; its being Chinese must not put it first.
        let text = try await decode("这张图像像什么病变？", references: AtlasFixtures.imageQueryReferences, image: true)
        let content = citedSentences(text).dropFirst().filter { !$0.numbers.isEmpty }
        #expect(content.first.map { [1, 2].contains($0.numbers[0]) } == true, "\(text)")
        #expect(text.contains("参考支持程度：强。"))
    }

    @Test func noImageMeansNoResemblanceLine() async throws {
        let text = try await decode("What does DCIS look like?", references: AtlasFixtures.imageQueryReferences)
        #expect(!text.contains("resembles"))
    }

    @Test func supportNoneSaysTheAtlasDoesNotCoverItAndCitesNothing() async throws {
        let text = try await decode("What is the capital of France?", references: AtlasFixtures.dcisQuestionReferences, support: .none)
        #expect(text == AnswerFraming.notCovered(.en))
        #expect(CitationInvariant.citedNumbers(in: text).isEmpty)
        let zh = try await decode("法国的首都是哪里？", references: [], support: .none)
        #expect(zh == AnswerFraming.notCovered(.zh))
    }

    @Test func bracketedNumbersInsideAPassageAreNotMistakenForOurCitations() async throws {
        // A passage quoting a book keeps the book's own reference marks; quoted as [1], they must go.
        let references = [
            AtlasFixtures.reference(
                1, entry: "breast-dcis", ordinal: 1, title: AtlasFixtures.dcisTitle, heading: "Microscopic features",
                text: "Comedo necrosis marks high-grade DCIS [3]. Calcifications within the necrosis are common [2, 12].",
                fused: 0.03),
            AtlasFixtures.reference(
                2, entry: "breast-idc", ordinal: 1, title: "Invasive ductal carcinoma (breast)", heading: "Features",
                text: AtlasFixtures.idcFeatures, fused: 0.02),
            AtlasFixtures.reference(
                3, entry: "breast-udh", ordinal: 1, title: AtlasFixtures.udhTitle, heading: "Features",
                text: AtlasFixtures.udhFeatures, fused: 0.01),
        ]
        let text = try await decode("Is comedo necrosis with calcification a feature of high-grade DCIS?", references: references)
        #expect(text.contains("Comedo necrosis marks high-grade DCIS [1]."))
        #expect(text.contains("Calcifications within the necrosis are common [1]."))
    }

    @Test func aQuestionNamingASectionLeansToThatSection() async throws {
        var references = AtlasFixtures.dcisQuestionReferences
        references.append(AtlasFixtures.reference(
            5, entry: "breast-dcis", ordinal: 3, title: AtlasFixtures.dcisTitle, heading: "Pitfalls",
            text: "Tangential sections through a duct can mimic invasion. Cautery artefact distorts nests at the margin.",
            fused: 0.012))
        let text = try await decode("What are the pitfalls with DCIS?", references: references)
        let content = citedSentences(text).filter { !$0.numbers.isEmpty }
        #expect(content.first?.numbers == [5], "\(text)")
    }

    @Test func aQuestionAskingWhatToTellItApartFromIsAnsweredFromTheDifferential() async throws {
        // The top entry's differential shares no word with the question; another entry's pitfalls passage
        // shares "apart" and ranks close behind. The answer must quote the differential, not the look-alike.
        let references = [
            AtlasFixtures.reference(
                1, entry: "colon-adenocarcinoma", ordinal: 1, title: "Adenocarcinoma (colon)", heading: "Microscopic features",
                text: "Typical tumours form irregular, angulated, fused or cribriform glands lined by tall columnar cells. "
                    + "Dirty necrosis in gland lumina points to a colorectal origin. Grading follows gland formation.",
                fused: 0.090),
            AtlasFixtures.reference(
                2, entry: "colon-adenocarcinoma", ordinal: 2, title: "Adenocarcinoma (colon)", heading: "Differential diagnosis",
                text: "Against an adenoma with high-grade dysplasia, carcinoma shows invasion through the muscularis mucosae with desmoplasia. "
                    + "Pseudoinvasion in a polyp stalk shows glands accompanied by lamina propria and haemosiderin.",
                fused: 0.084),
            AtlasFixtures.reference(
                3, entry: "breast-fibroadenoma", ordinal: 3, title: "Fibroadenoma (breast)", heading: "Pitfalls",
                text: "On core biopsy, a cellular fibroadenoma and a benign phyllodes tumour may be impossible to tell apart. "
                    + "Epithelium inside a fibroadenoma can show any change the breast shows elsewhere.",
                fused: 0.081),
        ]
        for question in [
            "What features suggest a malignant gland-forming tumour, and what should it be told apart from?",
            "What is the differential diagnosis here?",
        ] {
            let text = try await decode(question, references: references, image: true)
            let cited = citedSentences(text).flatMap(\.numbers)
            #expect(cited.contains(2), "\(question) → \(text)")
            #expect(!text.contains("tell apart"), "\(question) → \(text)")
        }
        // With no section named, the differential gets no lift: the features passage still leads.
        let plain = try await decode("Which glands are in this tumour?", references: references, image: true)
        #expect(citedSentences(plain).first { !$0.numbers.isEmpty }?.numbers == [1], "\(plain)")
    }

    @Test func aSectionQuestionAboutAnImageIsAnsweredFromTheEntryTheImageResembles() async throws {
        // "What are the pitfalls here?" matches every entry's pitfalls alike, so retrieval's fused order is close
        // to arbitrary; the image resembles the colon adenocarcinoma (listed third) far more than the others.
        func references(withImage: Bool) -> [Reference] {
            [
                AtlasFixtures.reference(
                    1, entry: "breast-fibroadenoma", ordinal: 3, title: "Fibroadenoma (breast)", heading: "Pitfalls",
                    text: "On core biopsy, a cellular fibroadenoma and a benign phyllodes tumour may be impossible to separate.",
                    image: withImage ? 0.964 : nil, fused: 0.0759),
                AtlasFixtures.reference(
                    2, entry: "colon-hyperplastic-polyp", ordinal: 3, title: "Hyperplastic polyp (colon)", heading: "Pitfalls",
                    text: "Poorly oriented biopsies cannot show the crypt bases and cannot separate a hyperplastic polyp from a serrated lesion.",
                    image: withImage ? 0.958 : nil, fused: 0.0757),
                AtlasFixtures.reference(
                    3, entry: "colon-adenocarcinoma", ordinal: 3, title: "Adenocarcinoma (colon)", heading: "Pitfalls",
                    text: "Superficial biopsies may show only the adenomatous surface and cannot exclude invasion.",
                    image: withImage ? 0.997 : nil, fused: 0.0732),
            ]
        }
        let withImage = try await decode("What are the pitfalls here?", references: references(withImage: true), image: true)
        #expect(withImage.contains("The image most resembles Adenocarcinoma (colon) [3]"), "\(withImage)")
        #expect(citedSentences(withImage).dropFirst().first { !$0.numbers.isEmpty }?.numbers == [3], "\(withImage)")
        // Without an image there is nothing to lean on but retrieval's order.
        let wordsOnly = try await decode("What are the pitfalls here?", references: references(withImage: false))
        #expect(citedSentences(wordsOnly).first { !$0.numbers.isEmpty }?.numbers == [1], "\(wordsOnly)")
    }

    @Test func anEntrysOwnSentencesAnswerForItWithoutRepeatingItsName() async throws {
        // Only the first sentence of the lesion's features names it; another entry's differential names it twice.
        let references = [
            AtlasFixtures.reference(
                1, entry: "colon-sessile-serrated-lesion", ordinal: 1, title: "Sessile serrated lesion (colon)",
                heading: "Microscopic features",
                text: "Sessile serrated lesion is a serrated precursor lesion of the right colon. "
                    + "Crypt bases are dilated and run horizontally, forming boot-shaped or inverted-T crypts. "
                    + "Serration extends down to the crypt base.",
                fused: 0.050),
            AtlasFixtures.reference(
                2, entry: "colon-hyperplastic-polyp", ordinal: 2, title: "Hyperplastic polyp (colon)", heading: "Differential diagnosis",
                text: "The main differential is sessile serrated lesion (SSL). "
                    + "Separating a hyperplastic polyp from a sessile serrated lesion decides the surveillance interval.",
                fused: 0.048),
        ]
        let text = try await decode("What are the features of a sessile serrated lesion?", references: references)
        let cited = citedSentences(text).compactMap(\.numbers.first)
        #expect(Array(cited.prefix(3)) == [1, 1, 1], "\(text)")
    }

    @Test func aPassagesOpeningSentenceSpeaksForTheSentencesAfterIt() async throws {
        // The English title cannot name the topic for a Chinese question; the passage's first sentence does.
        let references = [
            AtlasFixtures.reference(
                1, entry: "breast-fibroadenoma", ordinal: 5, title: "Fibroadenoma (breast)", heading: "镜下特点",
                text: "纤维腺瘤为边界清楚的良性纤维上皮性肿瘤，由间质和上皮共同增生构成。管内型中间质挤压导管呈细长的裂隙状或鹿角状。"
                    + "管周型中间质围绕圆形开放的导管生长，两者常并存。",
                fused: 0.050),
            AtlasFixtures.reference(
                2, entry: "breast-idc", ordinal: 5, title: "Invasive ductal carcinoma (breast)", heading: "镜下特点",
                text: "非特殊型浸润性癌为最常见的乳腺癌，肿瘤细胞呈不规则巢状浸润间质。乳腺间质常呈促纤维增生性改变，可伴淋巴细胞浸润。",
                fused: 0.048),
        ]
        let text = try await decode("乳腺纤维腺瘤的镜下特点是什么？", references: references)
        let cited = citedSentences(text).compactMap(\.numbers.first)
        #expect(Array(cited.prefix(3)) == [1, 1, 1], "\(text)")
    }

    @Test func repeatedPassagesAreNotQuotedTwice() async throws {
        var references = AtlasFixtures.dcisQuestionReferences
        references.append(AtlasFixtures.reference(
            5, entry: "breast-dcis-copy", ordinal: 2, title: "DCIS (copy)", heading: "Differential diagnosis",
            text: AtlasFixtures.dcisDifferential, fused: 0.029))
        let text = try await decode("How do I tell usual ductal hyperplasia from DCIS?", references: references)
        let content = citedSentences(text).filter { !$0.numbers.isEmpty }
        let bodies = content.map { $0.sentence.replacingOccurrences(of: " [\($0.numbers[0])]", with: "") }
        #expect(Set(bodies).count == bodies.count)
    }
}
