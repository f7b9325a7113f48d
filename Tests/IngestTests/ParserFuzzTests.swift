import AtlasCore
import Foundation
import Testing
@testable import Ingest

/// Seeded mutations of valid entries: the parsers never crash, and every entry either parses or is
/// skipped with a problem that names its file and a line that exists.
@Suite struct ParserFuzzTests {
    static let alphabet: [String] = ["-", ":", "[", "]", "{", "}", "\"", "'", "#", "\n", " ", "\t", "---", "##", "。", "核", "é", "\\", "/", "..", "*", "&", "!", "|", ">"]

    static func mutate(_ text: String, rng: inout SplitMix) -> String {
        var chars = Array(text)
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            let at = chars.isEmpty ? 0 : Int(rng.next() % UInt64(chars.count))
            switch rng.next() % 3 {
            case 0 where !chars.isEmpty: chars.remove(at: at)
            case 1: chars.insert(contentsOf: alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
            default:
                if !chars.isEmpty { chars[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))].first! }
            }
        }
        return String(chars)
    }

    @Test func mutatedEntryFiles() throws {
        let atlas = try TempAtlas()
        try atlas.write("e/dcis-solid.png", TempAtlas.pngHead)
        try atlas.write("e/dcis-cribriform.jpg", TempAtlas.jpegHead)
        var rng = SplitMix(seed: 2026)
        var parsedCount = 0
        for _ in 0..<300 {
            let text = Self.mutate(FolderAtlasTests.dcis, rng: &rng)
            try atlas.write("e/entry.md", text)
            let parsed = try AtlasParser.parse(at: atlas.root)
            #expect(parsed.entries.count + parsed.skipped == 1)
            parsedCount += parsed.entries.count
            let lines = text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false).count
            for problem in parsed.problems {
                #expect(problem.file.hasSuffix("e/entry.md"))
                if let line = problem.line { #expect((1...lines + 1).contains(line), "line \(line) of \(lines): \(problem.message)") }
            }
            for entry in parsed.entries {
                #expect(entry.entry.passages.map(\.ordinal) == Array(1...entry.entry.passages.count))
            }
        }
        #expect(parsedCount > 0 && parsedCount < 300)
    }

    @Test func mutatedJSONLines() throws {
        let atlas = try TempAtlas()
        try atlas.write("a.png", TempAtlas.pngHead)
        let line = #"{"id": "x1", "title": "T", "passages": ["one", {"heading": "H", "text": "two"}], "images": [{"file": "a.png", "caption": "c"}], "k": [1, 2]}"#
        var rng = SplitMix(seed: 7)
        var lines: [String] = []
        for _ in 0..<200 { lines.append(Self.mutate(line, rng: &rng).replacingOccurrences(of: "\n", with: " ")) }
        let file = try atlas.write("a.jsonl", lines.joined(separator: "\n"))
        let parsed = try AtlasParser.parse(at: file)
        let nonBlank = lines.filter { !$0.allSatisfy(\.isWhitespace) }.count
        #expect(parsed.entries.count + parsed.skipped == nonBlank)
        #expect(parsed.problems.allSatisfy { ($0.line ?? 0) >= 1 && ($0.line ?? 0) <= lines.count })
        #expect(Set(parsed.entries.map(\.entry.id)).count == parsed.entries.count)
    }
}
