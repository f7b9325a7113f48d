import Foundation
import Testing
@testable import Ingest

@Suite struct PassageSplitterTests {
    let splitter = PassageSplitter()

    @Test func shortSectionStaysWhole() {
        let text = "First paragraph here.\n\nSecond paragraph here."
        #expect(splitter.split(text) == [text])
    }

    @Test func longEnglishSectionSplitsAtParagraphs() {
        let paragraphs = (1...5).map { words(60, prefix: "p\($0)w") }
        let pieces = splitter.split(paragraphs.joined(separator: "\n\n"))
        #expect(pieces.count == 2)
        for piece in pieces {
            #expect(PassageSplitter.size(of: piece) <= 180)
            // Whole paragraphs only: every piece is a run of the original paragraphs.
            let parts = piece.components(separatedBy: "\n\n")
            #expect(parts.allSatisfy { paragraphs.contains($0) })
        }
        #expect(pieces.joined(separator: "\n\n") == paragraphs.joined(separator: "\n\n"))
    }

    @Test func overLongParagraphSplitsAtSentences() {
        let sentences = (1...50).map { s in (1...10).map { "s\(s)w\($0)" }.joined(separator: " ") + "." }
        let paragraph = sentences.joined(separator: " ")
        let pieces = splitter.split(paragraph)
        #expect(pieces.count == 3)  // 500 words, at most 180 each
        for piece in pieces {
            #expect(PassageSplitter.size(of: piece) <= 180)
            #expect(piece.hasPrefix("s") && piece.hasSuffix("."))
        }
        #expect(pieces.joined(separator: " ") == paragraph)
    }

    @Test func longChineseSectionSplitsAtParagraphsBy360Characters() {
        let paragraphs = (0..<3).map { ideographs(200, from: 0x4E00 + UInt32($0) * 300) + "。" }
        let pieces = splitter.split(paragraphs.joined(separator: "\n\n"))
        #expect(pieces.count == 3)
        for piece in pieces { #expect(piece.unicodeScalars.filter(\.isCJKIdeographForTest).count <= 360) }
    }

    @Test func chineseParagraphWithoutBlankLinesSplitsAtFullStops() {
        let sentences = (0..<20).map { ideographs(40, from: 0x4E00 + UInt32($0) * 50) + "。" }
        let paragraph = sentences.joined()
        let pieces = splitter.split(paragraph)
        #expect(pieces.count == 3)  // 800 ideographs, at most 360 each
        for piece in pieces {
            #expect(piece.hasSuffix("。"))
            #expect(piece.unicodeScalars.filter(\.isCJKIdeographForTest).count <= 360)
        }
        #expect(pieces.joined() == paragraph)
    }

    @Test func sentenceLongerThanTheLimitIsCutBetweenWords() {
        let sentence = words(400)
        let pieces = splitter.split(sentence)
        #expect(pieces.count == 3)
        #expect(pieces.allSatisfy { PassageSplitter.size(of: $0) <= 180 })
        #expect(pieces.joined(separator: " ") == sentence)
    }

    @Test func sizeCountsIdeographsAsHalfWords() {
        #expect(PassageSplitter.size(of: "three small words") == 3)
        #expect(PassageSplitter.size(of: "细胞核") == 1.5)
        #expect(PassageSplitter.size(of: "HE 染色") == 2)
    }
}

extension Unicode.Scalar {
    var isCJKIdeographForTest: Bool { (0x4E00...0x9FFF).contains(value) }
}
