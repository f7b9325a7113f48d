import Foundation
import Illustration
import Testing

@Suite struct RetrieveCommandTests {
    func atlas() throws -> GeneratedAtlas { try GeneratedAtlas.shared.get() }

    @Test func retrieveJSONHasTheDocumentedShape() throws {
        let atlas = try atlas()
        let query = try atlas.queryImage(.adipose)
        let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--image", query.path, "--text", "fat vacuoles", "--k", "4", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let references = try #require(json["references"] as? [[String: Any]])
        #expect(references.count == 4)
        #expect(json["timings_ms"] is [String: Any])
        for (i, reference) in references.enumerated() {
            #expect(reference["rank"] as? Int == i + 1)
            for key in ["entry", "passage", "title", "text", "source"] {
                #expect(reference[key] is String, "missing \(key)")
            }
            #expect(reference.keys.contains("heading"))
            let passage = try #require(reference["passage"] as? String)
            #expect(passage.hasPrefix("\(reference["entry"] as? String ?? "?")#"))
            let scores = try #require(reference["scores"] as? [String: Any])
            #expect(Set(scores.keys) == ["image", "text", "lexical", "fused"])
            #expect(scores["fused"] is Double)
            let image = try #require(reference["image"] as? [String: Any])
            #expect(image["file"] is String)
            let tile = try #require(image["tile"] as? [Int])
            #expect(tile.count == 4)
        }
        #expect(references.first?["entry"] as? String == Illustration.Morphology.adipose.id)
    }

    @Test(arguments: GeneratedAtlas.entries.map(\.0))
    func aFreshRenderingInAnUnseenStainFindsItsEntryAmongTheFirstTwo(_ morphology: Illustration.Morphology) throws {
        let atlas = try atlas()
        let query = try atlas.queryImage(morphology, seed: 4_242, style: .orangeStrong)
        let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--image", query.path, "--k", "6", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try result.entriesInRankOrder()
        #expect(entries.prefix(2).contains(morphology.id), "\(morphology.id) → \(entries)")
    }

    @Test(arguments: ["\"", "*", "NEAR(", "-", "mucin*", "\"unbalanced", "a AND OR NOT", "'); DROP TABLE entries;--", "NEAR(fat vacuoles, 2)", "-fat"])
    func queryTextIsDataNeverSyntax(_ text: String) throws {
        let atlas = try atlas()
        // `--text=…` so a leading "-" reaches AtlasQA instead of the argument parser.
        let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--text=\(text)", "--json"])
        #expect(result.status == 0, "\(text): \(result.stderr)")
        #expect(try result.json()["references"] is [Any])
    }

    @Test func sqlInTheQueryLeavesTheAtlasIntact() throws {
        let atlas = try atlas()
        _ = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--text", "x'); DROP TABLE passages; --", "--json"])
        let shown = try CLI.atlasqa(["show", Illustration.Morphology.mucin.id, "--db", atlas.database.path, "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect((try shown.json()["passages"] as? [Any])?.count == 3)
    }

    @Test(arguments: ["脂肪", "黏液", "平滑肌", "淋巴细胞"])
    func chineseTermsFindTheChinesePassage(_ term: String) throws {
        let atlas = try atlas()
        let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--text", term, "--k", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let references = try #require(try result.json()["references"] as? [[String: Any]])
        let texts = references.compactMap { $0["text"] as? String }
        #expect(texts.contains { $0.contains(term) }, "\(term) → \(texts)")
    }

    @Test func missingDatabaseIsAClearError() throws {
        let result = try CLI.atlasqa(["retrieve", "--db", "/nonexistent/x.sqlite", "--text", "fat", "--json"])
        #expect(result.status != 0)
        let error = try #require(try result.json()["error"] as? [String: Any])
        #expect(error["code"] as? String == "not_found")
        #expect((error["message"] as? String ?? "").contains("/nonexistent/x.sqlite"))
        #expect(result.stderr.hasPrefix("error: "))
    }

    @Test func corruptImageNamesTheFile() throws {
        let atlas = try atlas()
        let bad = atlas.scratch.appendingPathComponent("broken-scan.png")
        var bytes = try Data(contentsOf: try atlas.queryImage(.mucin))
        bytes = bytes.prefix(bytes.count / 2)
        try bytes.write(to: bad)
        let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--image", bad.path])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("broken-scan.png"))
    }
}
