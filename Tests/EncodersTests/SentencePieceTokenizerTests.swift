import Testing
@testable import Encoders

/// Hand-checked unigram segmentations on a small piece table.
@Suite struct SentencePieceTokenizerTests {
    let tokenizer = SentencePieceTokenizer(
        pieces: ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁he", "llo", "▁hello", "▁world", "l", "o", "h", "e", "w", "r", "d"],
        scores: [0, 0, 0, 0, -2, -3, -3, -4, -4, -5, -5, -5, -5, -5, -5, -5],
        normalization: [0x3000: [0x20], 0xFF48: [0x68], 0x200B: []],
        bos: 0, eos: 2, unknown: 3)

    func pieces(_ text: String) -> [String] {
        tokenizer.contentIDs(text).map { tokenizer.pieces[Int($0)] }
    }

    @Test func viterbiPrefersTheBestTotalScore() {
        // "▁hello" (−4) beats "▁he" + "llo" (−6).
        #expect(pieces("hello world") == ["▁hello", "▁world"])
    }

    @Test func collapsesSpacesAndAppliesTheNormaliser() {
        #expect(pieces("hello \u{3000}  world") == ["▁hello", "▁world"])
        #expect(pieces("\u{FF48}ello") == ["▁hello"])
        #expect(pieces("hel\u{200B}lo") == ["▁hello"])
    }

    @Test func aLeadingSpaceIsNotDoubled() {
        #expect(pieces(" hello") == ["▁hello"])
    }

    @Test func consecutiveUnknownCharactersFuseIntoOneUnknown() {
        #expect(pieces("hello ZZZ world") == ["▁hello", "▁", "<unk>", "▁world"])
    }

    @Test func emptyTextIsOneMetaspace() {
        #expect(pieces("") == ["▁"])
    }
}
