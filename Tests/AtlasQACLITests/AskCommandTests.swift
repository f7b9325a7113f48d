import Answering
import Foundation
import Illustration
import Testing

@Suite struct AskCommandTests {
    func atlas() throws -> GeneratedAtlas { try GeneratedAtlas.shared.get() }

    func ask(_ question: String, image: URL? = nil) throws -> [String: Any] {
        let atlas = try atlas()
        var arguments = ["ask", question, "--db", atlas.database.path, "--json"]
        if let image { arguments += ["--image", image.path] }
        let result = try CLI.atlasqa(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try result.json()
    }

    /// Every [n] in the answer has a citation, and every citation is one of the references.
    func expectCitationsHold(_ answer: [String: Any]) throws {
        let text = try #require(answer["answer"] as? String)
        let citations = try #require(answer["citations"] as? [[String: Any]])
        let references = try #require(answer["references"] as? [[String: Any]])
        let cited = Set(citations.compactMap { $0["n"] as? Int })
        let marks = Set(text.matches(of: /\[(\d+)\]/).compactMap { Int($0.output.1) })
        #expect(marks == cited, "marks \(marks) vs citations \(cited)")
        for citation in citations {
            let n = try #require(citation["n"] as? Int)
            #expect((1...references.count).contains(n))
            #expect(citation["passage"] as? String == references[n - 1]["passage"] as? String)
        }
        for phrase in WordingGuard.bannedPhrases {
            #expect(!text.lowercased().contains(phrase.lowercased()), "absolute wording: \(phrase)")
        }
    }

    @Test func anEnglishQuestionWithAnImageGetsACitedEnglishAnswer() throws {
        let image = try atlas().queryImage(.smoothMuscle, seed: 77)
        let answer = try ask("What do the nuclei of these spindle cells look like?", image: image)
        try expectCitationsHold(answer)
        #expect(answer["language"] as? String == "en")
        #expect(answer["support"] as? String != "none")
        let text = try #require(answer["answer"] as? String)
        #expect(text.contains(Illustration.Morphology.smoothMuscle.title))
        #expect(text.lowercased().contains("pathologist"))
        #expect((answer["decoder"] as? [String: Any])?["kind"] as? String == "extractive")
    }

    @Test func aChineseQuestionGetsAChineseAnswerFromTheChinesePassage() throws {
        let image = try atlas().queryImage(.adipose, seed: 78)
        let answer = try ask("这些细胞有什么特点？", image: image)
        try expectCitationsHold(answer)
        #expect(answer["language"] as? String == "zh")
        let text = try #require(answer["answer"] as? String)
        #expect(text.contains("病理医师"))
        #expect(text.contains("脂肪"))
    }

    @Test func anOutOfScopeQuestionIsNotAnswered() throws {
        let answer = try ask("What is the capital of France?")
        #expect(answer["support"] as? String == "none")
        #expect((answer["citations"] as? [Any])?.isEmpty == true)
        let text = try #require(answer["answer"] as? String)
        #expect(text.contains("does not cover"))
        #expect(!text.contains("Paris"))
        #expect(text.matches(of: /\[\d+\]/).isEmpty)
    }

    @Test func anEmptyQuestionIsRefusedWithUsage() throws {
        let result = try CLI.atlasqa(["ask", "   ", "--db", try atlas().database.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("empty"))
    }
}
