public import Foundation

/// BERT's uncased WordPiece tokenizer, as Hugging Face `tokenizers` runs it (`BertNormalizer` with
/// clean-up, CJK spacing, accent stripping and lower-casing; `BertPreTokenizer`; `WordPiece` with `##`
/// continuations). Works on Unicode scalars, as the Rust original works on `char`s.
public struct WordPieceTokenizer: Sendable {
    /// Token → id, compared byte for byte.
    let vocabulary: ByteStringTable
    public var vocabularySize: Int { vocabulary.count }
    public let unknownID: Int32
    public let classifierID: Int32
    public let separatorID: Int32
    /// Longest sequence produced, special tokens included (sentence-transformers' `max_seq_length`).
    public let maxLength: Int
    /// Words longer than this many scalars become `[UNK]` without being split.
    public let maxWordScalars = 100

    /// From the lines of `vocab.txt`: line `i` is the token with id `i`.
    public init(vocabularyLines lines: [String], maxLength: Int = 256) throws(ModelFileError) {
        // A repeated line takes the later id, as `tokenizers` builds its map.
        let vocabulary = ByteStringTable(lines.enumerated().map { ($0.element, Int32($0.offset)) })
        guard let unknown = vocabulary.id("[UNK]"), let cls = vocabulary.id("[CLS]"), let sep = vocabulary.id("[SEP]")
        else {
            throw ModelFileError(file: "vocab.txt", "the vocabulary lacks [UNK], [CLS] or [SEP]")
        }
        self.vocabulary = vocabulary
        unknownID = unknown
        classifierID = cls
        separatorID = sep
        self.maxLength = max(2, maxLength)
    }

    /// Reads `vocab.txt` (one token per line).
    public init(contentsOf url: URL, maxLength: Int = 256) throws(ModelFileError) {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ModelFileError(file: url.path, "cannot read the vocabulary: \(error.localizedDescription)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        do { try self.init(vocabularyLines: lines, maxLength: maxLength) } catch {
            throw ModelFileError(file: url.path, error.problem)
        }
    }

    /// `[CLS] pieces… [SEP]`, the pieces cut to `maxLength − 2`.
    public func encode(_ text: String) -> [Int32] {
        var ids = [classifierID]
        let budget = maxLength - 2
        outer: for word in words(of: text) {
            for id in pieces(of: word) {
                if ids.count - 1 == budget { break outer }
                ids.append(id)
            }
        }
        ids.append(separatorID)
        return ids
    }

    /// Normalised text split into words and single punctuation marks.
    func words(of text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in normalize(text) {
            if Self.isWhitespace(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
            } else if Self.isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Clean-up, CJK spacing, NFD with non-spacing marks removed, then lower-casing.
    func normalize(_ text: String) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if Self.isCJK(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(decomposed.unicodeScalars.count)
        for scalar in decomposed.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
            // Per-scalar full lower-case mapping, as Rust's `char::to_lowercase` (no final-sigma context).
            if scalar.properties.changesWhenLowercased {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return result
    }

    /// Greedy longest-match-first split of one word; the whole word is `[UNK]` if any part is unknown.
    func pieces(of word: [Unicode.Scalar]) -> [Int32] {
        guard word.count <= maxWordScalars else { return [unknownID] }
        var ids: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var candidate = String(String.UnicodeScalarView(word[start..<end]))
                if start > 0 { candidate = "##" + candidate }
                if let id = vocabulary.id(candidate) {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            ids.append(id)
            start = end
        }
        return ids
    }

    // Character classes of `tokenizers`' BertNormalizer / BertPreTokenizer.

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default: return false
        }
    }
}
