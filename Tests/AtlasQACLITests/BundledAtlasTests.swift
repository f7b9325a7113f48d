import Answering
import AtlasCore
import Foundation
import Illustration
import Imaging
import Testing

/// The bundled `Atlas/`: it must ingest whole, and each entry must be found from a fresh illustration of it
/// in a stain style the atlas never uses.
@Suite struct BundledAtlasTests {
    struct Ingested {
        let database: URL
        let scratch: URL
        let summary: [String: Any]
    }

    nonisolated(unsafe) static let ingested: Result<Ingested, any Error> = Result {
        let scratch = try CLI.temporaryDirectory("bundled")
        let database = scratch.appendingPathComponent("atlas.sqlite")
        let result = try CLI.atlasqa(["ingest", CLI.repository.appendingPathComponent("Atlas").path, "--db", database.path, "--json"])
        guard result.status == 0 else { throw CLIError("ingest Atlas/ failed (\(result.status)): \(result.stdout) \(result.stderr)") }
        return Ingested(database: database, scratch: scratch, summary: try result.json())
    }

    @Test func everyEntryParsesAndIngests() throws {
        let summary = try Self.ingested.get().summary
        let entries = try #require(summary["entries"] as? [String: Any])
        let folders = try FileManager.default.contentsOfDirectory(atPath: CLI.repository.appendingPathComponent("Atlas").path)
            .filter { FileManager.default.fileExists(atPath: CLI.repository.appendingPathComponent("Atlas/\($0)/entry.md").path) }
        #expect(folders.count >= 24)
        #expect(entries["ingested"] as? Int == folders.count)
        #expect(entries["failed"] as? Int == 0)
        #expect((summary["problems"] as? [Any])?.isEmpty == true)
        #expect(summary["images"] as? Int == folders.count * 2)
    }

    @Test func aFreshIllustrationInAnUnseenStainFindsItsEntryInTheTopThree() throws {
        let atlas = try Self.ingested.get()
        var top1 = 0
        var misses: [String] = []
        for (i, morphology) in Illustration.Morphology.allCases.enumerated() {
            let style = StainStyle.unseenStyles[i % StainStyle.unseenStyles.count]
            let image = HistologyRenderer().render(morphology, style: style, size: 256, seed: 31_337 + UInt64(i))
            let url = atlas.scratch.appendingPathComponent("unseen-\(morphology.id).png")
            try ImageCodec.encodePNG(image).write(to: url)
            let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--image", url.path, "--k", "9", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let entries = try result.entriesInRankOrder()
            if entries.first == morphology.id { top1 += 1 }
            if !entries.prefix(3).contains(morphology.id) { misses.append("\(morphology.id) → \(entries.prefix(3))") }
        }
        let total = Illustration.Morphology.allCases.count
        print("bundled atlas, unseen stain styles: top-1 \(top1)/\(total), top-3 \(total - misses.count)/\(total)")
        #expect(misses.isEmpty, "not in the top 3: \(misses)")
    }

    @Test func englishAndChineseQuestionsAreAnsweredInTheirLanguage() throws {
        let atlas = try Self.ingested.get()
        let image = HistologyRenderer().render(.colonAdenocarcinoma, style: .greyBrown, size: 256, seed: 5)
        let url = atlas.scratch.appendingPathComponent("ask-colon.png")
        try ImageCodec.encodePNG(image).write(to: url)
        for (question, language, closing) in [
            ("What features suggest a malignant gland-forming tumour here?", "en", "pathologist"),
            ("这张图像中的腺体有哪些恶性特征？", "zh", "病理医师"),
        ] {
            let result = try CLI.atlasqa(["ask", question, "--image", url.path, "--db", atlas.database.path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let answer = try result.json()
            #expect(answer["language"] as? String == language)
            let text = try #require(answer["answer"] as? String)
            #expect(text.contains(closing))
            #expect(!(answer["citations"] as? [Any] ?? []).isEmpty)
            for phrase in WordingGuard.bannedPhrases { #expect(!text.lowercased().contains(phrase.lowercased())) }
            if language == "zh" {
                // Chinese framing, and the cited Chinese passages quoted rather than English ones.
                let cjk = text.unicodeScalars.filter { (0x4E00...0x9FFF).contains($0.value) }.count
                #expect(cjk > text.count / 3, "mostly Chinese: \(text)")
            }
        }
    }

    @Test func aGenericQuestionIsAnsweredAboutWhatTheImageMatches() throws {
        // "field" and "describe" match the slide-background passages by word; the image matches adenocarcinoma.
        let atlas = try Self.ingested.get()
        let image = HistologyRenderer().render(.colonAdenocarcinoma, style: .greyBrown, size: 256, seed: 5)
        let url = atlas.scratch.appendingPathComponent("generic-colon.png")
        try ImageCodec.encodePNG(image).write(to: url)
        let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--image", url.path, "--text", "Describe this field", "--k", "6", "--json"])
        let references = try #require(try result.json()["references"] as? [[String: Any]])
        #expect(references.first?["entry"] as? String == "colon-adenocarcinoma")
        #expect(!references.prefix(3).contains { $0["entry"] as? String == "tissue-background" })
    }

    @Test func aQuestionNamingOnlyASectionGetsThatSectionOfTheEntryTheImageResembles() throws {
        // "pitfalls" and "differential" match every entry's section alike; the image says which entry.
        let atlas = try Self.ingested.get()
        let image = HistologyRenderer().render(.colonAdenocarcinoma, style: .greyBrown, size: 256, seed: 5)
        let url = atlas.scratch.appendingPathComponent("section-colon.png")
        try ImageCodec.encodePNG(image).write(to: url)
        for (question, heading) in [("What are the pitfalls here?", "Pitfalls"), ("What should this be told apart from?", "Differential diagnosis")] {
            let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--image", url.path, "--text", question, "--k", "4", "--json"])
            let references = try #require(try result.json()["references"] as? [[String: Any]])
            #expect(references.first?["entry"] as? String == "colon-adenocarcinoma", "\(question)")
            #expect(references.allSatisfy { $0["heading"] as? String == heading }, "\(question): \(references.map { $0["passage"] ?? "" })")
            // The answer quotes that section of that entry first.
            let answer = try CLI.atlasqa(["ask", question, "--image", url.path, "--db", atlas.database.path, "--json"]).json()
            let text = try #require(answer["answer"] as? String)
            let quoted = try #require(text.split(separator: "\n").dropFirst().first)
            let firstCitation = quoted.range(of: #"\[\d+\]"#, options: .regularExpression).map { String(quoted[$0]) }
            #expect(firstCitation == "[1]", "\(question): \(text)")
        }
    }

    @Test func aQuestionAboutAnotherOrganIsNotPulledTowardsTheColon() throws {
        // The tissue concepts are colorectal; "graded carcinoma" is nearest to their tumour phrasings.
        let atlas = try Self.ingested.get()
        for question in ["How is invasive breast carcinoma graded?", "乳腺浸润性癌如何分级？"] {
            let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--text", question, "--k", "3", "--json"])
            let references = try #require(try result.json()["references"] as? [[String: Any]])
            #expect(references.first?["entry"] as? String == "breast-idc", "\(question): \(references.map { $0["passage"] ?? "" })")
        }
    }

    @Test func aQuestionAboutAnOrganTheAtlasNeverMentionsIsNotAnswered() throws {
        // E5 finds "normal … look like" close to the normal-breast passages; the atlas has no kidney at all.
        let atlas = try Self.ingested.get()
        for (question, notCovered) in [
            ("What does a normal glomerulus look like?", AnswerFraming.notCovered(.en)),
            ("肾小球的正常结构是什么样的？", AnswerFraming.notCovered(.zh)),
        ] {
            let answer = try CLI.atlasqa(["ask", question, "--db", atlas.database.path, "--json"]).json()
            #expect(answer["support"] as? String == "none", "\(question): \(answer["support"] ?? "")")
            #expect((answer["answer"] as? String)?.hasPrefix(notCovered) == true, "\(question): \(answer["answer"] ?? "")")
        }
        // An organ the atlas does hold is answered as before.
        let breast = try CLI.atlasqa(["ask", "How is invasive breast carcinoma graded?", "--db", atlas.database.path, "--json"]).json()
        #expect(breast["support"] as? String == "strong")
    }

    @Test func aChineseQuestionReachesTheRightEntryWithoutAnImage() throws {
        let atlas = try Self.ingested.get()
        let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--text", "粉刺样坏死 导管 肌上皮层", "--k", "3", "--json"])
        let references = try #require(try result.json()["references"] as? [[String: Any]])
        #expect(references.first?["entry"] as? String == "breast-dcis")
    }
}
