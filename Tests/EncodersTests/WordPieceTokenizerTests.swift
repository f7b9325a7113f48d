import Testing
@testable import Encoders

/// Hand-checked cases of BERT uncased tokenisation on a small vocabulary.
@Suite struct WordPieceTokenizerTests {
    let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "runn", "##ing", "cafe", ",", "!", "中", "国",
        "hello", "world", "a", "##a",
    ]

    func tokenizer(maxLength: Int = 256) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabularyLines: vocabulary, maxLength: maxLength)
    }

    func pieces(_ text: String) throws -> [String] {
        try tokenizer().encode(text).map { vocabulary[Int($0)] }
    }

    @Test func greedyLongestMatchWithContinuations() throws {
        #expect(try pieces("unaffable running") == ["[CLS]", "un", "##aff", "##able", "runn", "##ing", "[SEP]"])
    }

    @Test func lowerCasesAndStripsAccents() throws {
        #expect(try pieces("CAFÉ Café cafe\u{301}") == ["[CLS]", "cafe", "cafe", "cafe", "[SEP]"])
    }

    @Test func splitsPunctuationAndSpacesCJK() throws {
        #expect(try pieces("hello,world!中国") == ["[CLS]", "hello", ",", "world", "!", "中", "国", "[SEP]"])
    }

    @Test func anUnknownPieceMakesTheWholeWordUnknown() throws {
        #expect(try pieces("unaffablex hello") == ["[CLS]", "[UNK]", "hello", "[SEP]"])
    }

    @Test func wordsOverOneHundredScalarsAreUnknown() throws {
        #expect(try pieces(String(repeating: "a", count: 100)).count == 102)
        #expect(try pieces(String(repeating: "a", count: 101)) == ["[CLS]", "[UNK]", "[SEP]"])
    }

    @Test func controlCharactersVanishAndWhitespaceSplits() throws {
        #expect(try pieces("hel\u{7}lo\tworld\u{200B}\nhello") == ["[CLS]", "hello", "world", "hello", "[SEP]"])
    }

    @Test func emptyTextIsJustTheSpecialTokens() throws {
        #expect(try pieces("") == ["[CLS]", "[SEP]"])
        #expect(try pieces("   ") == ["[CLS]", "[SEP]"])
    }

    @Test func keepsAtMostMaxLengthTokens() throws {
        let ids = try tokenizer(maxLength: 5).encode("hello world hello world hello")
        #expect(ids.map { vocabulary[Int($0)] } == ["[CLS]", "hello", "world", "hello", "[SEP]"])
    }

    @Test func aVocabularyWithoutSpecialTokensIsRejected() {
        #expect(throws: ModelFileError.self) { try WordPieceTokenizer(vocabularyLines: ["a", "b"]) }
    }
}
