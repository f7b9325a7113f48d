public import AtlasCore

/// Holds a decoder's answer to its references: every `[n]` must name one of them.
///
/// Reads the citation forms models write — `[2]`, `[1, 3]`, `[1][3]`, `[1-3]`, `[1–3]`, `【2】`, `［2］` —
/// and rewrites each as plain `[n]` groups (`[1][3]`), so that anyone reading the answer can match
/// `[n]` alone. A number with no reference (`[9]` with three references, `[0]`) is removed and counted.
/// Sentences that state something without any citation are listed, not removed: the reader decides.
public struct CitationChecker: Sendable {
    public struct Result: Sendable, Hashable {
        /// The answer with citations rewritten and invented ones removed.
        public var text: String
        /// One per distinct reference cited, in order of n.
        public var citations: [Citation]
        /// Citation numbers that named no reference, each occurrence counted.
        public var removedCount: Int
        /// Sentences that make a claim but cite nothing.
        public var uncitedSentences: [String]
    }

    /// A range wider than this (`[1-40]`) is taken as invented, not expanded.
    public var maximumRangeWidth = 20

    public init() {}

    public func check(_ answer: String, references: [Reference]) -> Result {
        // Removing "[9]" from "[[9]1]" makes a new "[1]": rewrite until nothing changes, so the last pass
        // has seen every citation the final text holds.
        var (text, used, removed) = rewriteCitations(answer, referenceCount: references.count)
        var previous = answer
        while text != previous {
            previous = text
            let again = rewriteCitations(text, referenceCount: references.count)
            (text, used) = (again.0, again.1)
            removed += again.2
        }
        let citations = used.sorted().map { Citation(n: $0, reference: references[$0 - 1]) }
        let uncited = SentenceSplitter.sentences(in: text).filter { Self.makesClaim($0) && !Self.hasCitation($0) }
        return Result(text: text, citations: citations, removedCount: removed, uncitedSentences: uncited)
    }

    /// The text without anything that reads as a citation: atlas passages quoting a book's own "[3]"
    /// must not be taken for reference 3 once they are quoted in an answer or a prompt.
    public func strippingCitations(_ text: String) -> String {
        var stripped = text
        var previous = ""
        while stripped != previous {
            previous = stripped
            stripped = rewriteCitations(stripped, referenceCount: 0).0
        }
        return stripped
    }

    /// Rewrites every bracketed citation group; returns the text, the numbers kept, and how many were dropped.
    func rewriteCitations(_ answer: String, referenceCount: Int) -> (String, Set<Int>, Int) {
        let chars = Array(answer)
        var out = ""
        var used: Set<Int> = []
        var removed = 0
        var lastEmitted: Int?  // the last number written by the group just before, to drop "[1][1]"
        var i = 0
        while i < chars.count {
            guard let (numbers, end) = parseGroup(chars, at: i) else {
                if !chars[i].isWhitespace { lastEmitted = nil }
                out.append(chars[i])
                i += 1
                continue
            }
            var kept: [Int] = []
            for n in numbers {
                if referenceCount > 0, (1...referenceCount).contains(n) {
                    if !kept.contains(n), n != lastEmitted { kept.append(n) }
                } else {
                    removed += 1
                }
            }
            if kept.isEmpty {
                // Drop the space that stood before the removed citation too.
                while let last = out.last, last == " " { out.removeLast() }
            } else {
                // "cells[1]" reads as "cells [1]"; Chinese takes no space ("细胞[1]").
                if let prev = out.last, prev.isLetter || prev.isNumber, !prev.isCJK { out.append(" ") }
                out += kept.map { "[\($0)]" }.joined()
                used.formUnion(kept)
                lastEmitted = kept.last
            }
            i = end
        }
        return (out, used, removed)
    }

    /// The numbers of a citation group starting at `i` and the index just past it, or nil if none starts there.
    func parseGroup(_ chars: [Character], at i: Int) -> ([Int], Int)? {
        guard ["[", "【", "［"].contains(chars[i]) else { return nil }
        var j = i + 1
        var inner = ""
        while j < chars.count, chars[j].isCitationInterior || chars[j].isFullWidthDigit {
            inner.append(chars[j].asciiDigit ?? chars[j])
            j += 1
        }
        guard j < chars.count, ["]", "】", "］"].contains(chars[j]), inner.contains(where: \.isNumber) else { return nil }
        guard let numbers = parseNumbers(inner) else { return nil }
        return (numbers, j + 1)
    }

    /// "1, 3", "1–3", "1,2-4"; nil when the text is not a list of numbers and ranges.
    func parseNumbers(_ inner: String) -> [Int]? {
        var numbers: [Int] = []
        for part in inner.split(whereSeparator: { $0 == "," || $0 == "，" || $0 == "、" }) {
            let piece = part.trimmingWhitespace
            if piece.isEmpty { continue }
            // "[-1]": a negative number, which no reference has.
            if let first = piece.first, "-–—－".contains(first) {
                numbers.append(0)
                continue
            }
            let bounds = piece.split(whereSeparator: { "-–—－".contains($0) }).map { $0.trimmingWhitespace }
            switch bounds.count {
            case 1:
                guard let n = Int(bounds[0]) else { return nil }
                numbers.append(n)
            case 2:
                guard let a = Int(bounds[0]), let b = Int(bounds[1]) else { return nil }
                if a <= b, b - a <= maximumRangeWidth {
                    numbers += Array(a...b)
                } else {
                    numbers += [a, b]  // a backwards or huge range: judge its ends only
                }
            default:
                return nil
            }
        }
        return numbers.isEmpty ? nil : numbers
    }

    static func hasCitation(_ sentence: String) -> Bool {
        let chars = Array(sentence)
        return chars.indices.contains { i in
            chars[i] == "[" && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber
        }
    }

    /// A statement long enough to be a claim, and not one of the fixed framing lines nor a question.
    static func makesClaim(_ sentence: String) -> Bool {
        if framingSentences.contains(sentence) { return false }
        if let last = sentence.last, last == "?" || last == "？" { return false }
        if sentence.hasSuffix(":") || sentence.hasSuffix("：") { return false }
        return SentenceSelector.isSubstantial(sentence)
    }

    static let framingSentences: Set<String> = Set(AnswerFraming.framingLines.flatMap(SentenceSplitter.sentences(in:)))
}

extension Character {
    var isFullWidthDigit: Bool { ("０"..."９").contains(self) }
    /// "３" → "3"; ASCII digits as they are; nil for anything else.
    var asciiDigit: Character? {
        if isASCII && isNumber { return self }
        guard isFullWidthDigit, let v = unicodeScalars.first?.value else { return nil }
        return Character(Unicode.Scalar(v - 0xFF10 + 0x30)!)
    }
}
