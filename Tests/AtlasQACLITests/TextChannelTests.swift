import Foundation
import Testing

/// The dense text channel (multilingual E5 from models/, placed by Scripts/setup): a Chinese question reaches
/// an English-only atlas, and a paraphrase that shares no keyword with its passage still finds it.
@Suite struct TextChannelTests {
    static let passages: [(id: String, title: String, text: String)] = [
        ("adipose", "Adipose tissue", "Mature adipocytes form large, empty, polygonal vacuoles separated by thin membranes, with flattened nuclei pushed to the periphery and scant intervening stroma."),
        ("lymphoid", "Lymphoid aggregate", "Sheets of small round lymphocytes with dense dark nuclei and scant cytoplasm; germinal centres contain larger pale cells and tingible body macrophages."),
        ("smooth-muscle", "Smooth muscle", "Fascicles of spindle cells with eosinophilic fibrillary cytoplasm and elongated, blunt-ended, cigar-shaped nuclei, cut longitudinally and transversely."),
        ("mucin", "Extracellular mucin", "Pale blue-grey, wispy, acellular material forming lakes that dissect the stroma, sometimes with floating strips of epithelium."),
        ("necrosis", "Necrosis and debris", "Eosinophilic granular material with karyorrhectic nuclear dust, ghost outlines of dead cells and loss of tissue architecture."),
        ("blood", "Haemorrhage", "Densely packed erythrocytes, small anucleate red discs, filling the field with occasional scattered leukocytes."),
    ]

    /// An English-only JSON Lines atlas (no images), ingested with the default text encoder.
    static let database: Result<URL, any Error> = Result {
        let scratch = try CLI.temporaryDirectory("text-channel")
        let lines = try passages.map { p in
            String(decoding: try JSONSerialization.data(withJSONObject: ["id": p.id, "title": p.title, "text": p.text, "source": "AtlasQA tests"]), as: UTF8.self)
        }
        let atlas = scratch.appendingPathComponent("atlas.jsonl")
        try lines.joined(separator: "\n").write(to: atlas, atomically: true, encoding: .utf8)
        let db = scratch.appendingPathComponent("text.sqlite")
        let result = try CLI.atlasqa(["ingest", atlas.path, "--db", db.path, "--text-encoder", "multilingual-e5-small", "--json"])
        guard result.status == 0 else { throw CLIError("ingest failed (\(result.status)): \(result.stderr)") }
        return db
    }

    func top(_ question: String) throws -> (entry: String?, textScore: Double?) {
        let db = try Self.database.get()
        let result = try CLI.atlasqa(["retrieve", "--db", db.path, "--text", question, "--k", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let first = try #require(try result.json()["references"] as? [[String: Any]]).first
        return (first?["entry"] as? String, (first?["scores"] as? [String: Any])?["text"] as? Double)
    }

    @Test(arguments: [
        ("脂肪细胞形成的大空泡", "adipose"), ("大量红细胞", "blood"), ("坏死组织碎片和核碎裂", "necrosis"),
        ("平滑肌束，细胞核呈雪茄形", "smooth-muscle"), ("淋巴细胞密集成片", "lymphoid"), ("黏液湖", "mucin"),
    ])
    func aChineseQuestionFindsTheEnglishPassage(_ question: String, _ entry: String) throws {
        let found = try top(question)
        #expect(found.entry == entry, "\(question) → \(found.entry ?? "nothing")")
        #expect(found.textScore != nil, "found by the dense channel")
    }

    @Test(arguments: [("bleeding", "blood"), ("jelly-like substance", "mucin")])
    func aParaphraseWithNoSharedKeywordFindsItsPassage(_ question: String, _ entry: String) throws {
        let passage = try #require(Self.passages.first { $0.id == entry })
        let words = Set(question.lowercased().split { !$0.isLetter }.map(String.init))
        #expect(words.allSatisfy { !passage.text.lowercased().contains($0) && !passage.title.lowercased().contains($0) })
        #expect(try top(question).entry == entry)
    }
}
