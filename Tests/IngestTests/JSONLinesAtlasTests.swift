import AtlasCore
import Foundation
import Testing
@testable import Ingest

@Suite struct JSONLinesAtlasTests {
    @Test func bothTextFormsImageFormsAndMetadata() throws {
        let atlas = try TempAtlas()
        try atlas.write("ADI/a.png", TempAtlas.pngHead)
        try atlas.write("ADI/b.jpg", TempAtlas.jpegHead)
        let file = try atlas.write("atlas.jsonl", """
            {"id": "adi-001", "title": "Adipose tissue", "text": "Mature fat cells.", "images": ["ADI/a.png"], "source": "Kather", "license": "CC-BY-4.0", "organ": "colon", "diagnosis": "normal fat", "tags": ["normal"], "magnification": 20, "extra": {"b": [1, true], "a": null}}

            {"id": "adi-002", "passages": ["Plain passage.", {"heading": "Features", "text": "Large empty vacuoles."}], "images": [{"file": "ADI/b.jpg", "caption": "Fat, 20x"}]}
            """)
        let parsed = try AtlasParser.parse(at: file)
        #expect(parsed.problems.isEmpty)
        #expect(parsed.format == .jsonl)
        #expect(parsed.entries.map(\.line) == [1, 3])
        let first = parsed.entries[0].entry
        #expect(first.title == "Adipose tissue")
        #expect(first.source == "Kather" && first.license == "CC-BY-4.0" && first.organ == "colon")
        #expect(first.diagnosis == "normal fat" && first.tags == ["normal"])
        #expect(first.passages.map(\.text) == ["Mature fat cells."])
        #expect(first.images == [AtlasImage(file: "ADI/a.png")])
        #expect(first.metadata == ["magnification": "20", "extra": #"{"a":null,"b":[1,true]}"#])

        let second = parsed.entries[1].entry
        #expect(second.title == "adi-002")  // defaults to the id
        #expect(second.source == "unspecified")
        #expect(second.passages.map(\.heading) == [nil, "Features"])
        #expect(second.passages.map(\.id) == ["adi-002#1", "adi-002#2"])
        #expect(second.images == [AtlasImage(file: "ADI/b.jpg", caption: "Fat, 20x")])
        #expect(parsed.entries[1].imageURLs == [atlas.url("ADI/b.jpg").standardizedFileURL])
    }

    @Test func longTextIsSplitLikeASection() throws {
        let atlas = try TempAtlas()
        let text = (1...5).map { words(60, prefix: "p\($0)w") }.joined(separator: "\n\n")
        let json = String(decoding: try JSONEncoder().encode(["id": "long", "text": text]), as: UTF8.self)
        let file = try atlas.write("a.jsonl", json + "\n")
        let entry = try AtlasParser.parse(at: file).entries[0].entry
        #expect(entry.passages.map(\.id) == ["long#1", "long#2"])
    }

    @Test func badLinesAreReportedByLineNumberAndSkipped() throws {
        let atlas = try TempAtlas()
        try atlas.write("x.png", TempAtlas.pngHead)
        let file = try atlas.write("atlas.jsonl", [
            #"{"id": "good-1", "text": "Fine."}"#,
            #"{"id": "bad-json", "text": "unterminated}"#,
            #"["not", "an", "object"]"#,
            #"{"id": "a/b", "text": "slash in id"}"#,
            #"{"text": "no id"}"#,
            #"{"id": "good-1", "text": "Duplicate."}"#,
            #"{"id": "escape", "text": "t", "images": ["../outside.png"]}"#,
            #"{"id": "absolute", "text": "t", "images": ["/etc/hosts"]}"#,
            #"{"id": "missing", "text": "t", "images": ["nope.png"]}"#,
            #"{"id": "no-text", "images": ["x.png"]}"#,
            #"{"id": "bad-images", "text": "t", "images": "x.png"}"#,
            #"{"id": "good-2", "text": "Also fine.", "images": ["x.png"]}"#,
        ].joined(separator: "\n"))
        let parsed = try AtlasParser.parse(at: file)
        #expect(parsed.entries.map(\.entry.id) == ["good-1", "good-2"])
        #expect(parsed.entries.map(\.line) == [1, 12])
        #expect(parsed.problems.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        #expect(parsed.problems.allSatisfy { $0.file == file.path })
        #expect(parsed.skipped == 10)
        let messages = parsed.problems.map(\.message)
        #expect(messages[0].hasPrefix("line is not valid JSON"))
        #expect(messages[1].contains("one JSON object"))
        #expect(messages[2].contains("not valid"))
        #expect(messages[3].contains("no string 'id'"))
        #expect(messages[4].contains("duplicate id 'good-1' (first on line 1)"))
        #expect(messages[5].contains("leaves the atlas folder"))
        #expect(messages[6].contains("absolute"))
        #expect(messages[7].contains("'nope.png' not found"))
        #expect(messages[8].contains("no text"))
        #expect(messages[9].contains("'images' must be an array"))
        #expect(parsed.problems[4].entry == "good-1")
    }

    @Test func idsMayBeAnyStringWithoutSlashOrControls() throws {
        let atlas = try TempAtlas()
        let file = try atlas.write("a.jsonl", #"{"id": "TCGA Case 12 (HE)", "text": "ok"}"# + "\n" + #"{"id": "tab\there", "text": "no"}"# + "\n")
        let parsed = try AtlasParser.parse(at: file)
        #expect(parsed.entries.map(\.entry.id) == ["TCGA Case 12 (HE)"])
        #expect(parsed.problems.map(\.line) == [2])
    }

    @Test func byteOrderMarkAndCRLFAreTolerated() throws {
        let atlas = try TempAtlas()
        let file = try atlas.write("a.jsonl", Data([0xEF, 0xBB, 0xBF]) + Data("{\"id\": \"a\", \"text\": \"one\"}\r\n{\"id\": \"b\", \"text\": \"two\"}\r\n".utf8))
        let parsed = try AtlasParser.parse(at: file)
        #expect(parsed.problems.isEmpty)
        #expect(parsed.entries.map(\.entry.id) == ["a", "b"])
    }
}
