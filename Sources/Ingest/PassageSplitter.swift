import AtlasCore

/// Cuts a section's text into passages an encoder can take whole (MiniLM reads at most 256 tokens):
/// at paragraph boundaries, and inside an over-long paragraph at sentence boundaries.
///
/// Size is counted in words, a CJK ideograph counting half a word, so the limit is about 180 words
/// or 360 Chinese characters. The cut depends only on the text, so unchanged text keeps its passage ids.
public struct PassageSplitter: Sendable {
    /// Largest passage, in words (CJK ideographs count ½).
    public var maxSize: Double

    public init(maxWords: Int = 180) {
        self.maxSize = Double(maxWords)
    }

    /// The pieces of `text`, in order, each trimmed; empty text gives no piece.
    public func split(_ text: String) -> [String] {
        let paragraphs = Self.paragraphs(of: text.replacingCRLF())
        guard !paragraphs.isEmpty else { return [] }
        var units: [(text: Substring, size: Double)] = []
        for paragraph in paragraphs {
            let size = Self.size(of: paragraph)
            if size <= maxSize {
                units.append((paragraph, size))
            } else {
                for piece in splitLongParagraph(paragraph) { units.append((piece, Self.size(of: piece))) }
            }
        }
        return pack(units, separator: "\n\n").map { String($0) }
    }

    /// Size in words, a CJK ideograph counting half.
    public static func size(of text: some StringProtocol) -> Double {
        var words = 0
        var ideographs = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            if scalar.isCJKIdeograph {
                ideographs += 1
                inWord = false
            } else if scalar.properties.isWhitespace || isCJKPunctuation(scalar) {
                inWord = false
            } else if !inWord {
                words += 1
                inWord = true
            }
        }
        return Double(words) + Double(ideographs) / 2
    }

    /// Groups consecutive units into pieces no larger than `maxSize`, aiming at equal sizes so the
    /// last piece is not a stub.
    private func pack(_ units: [(text: Substring, size: Double)], separator: String) -> [Substring] {
        let total = units.reduce(0) { $0 + $1.size }
        let count = max(1, Int((total / maxSize).rounded(.up)))
        let target = total / Double(count)
        var pieces: [Substring] = []
        var current: [Substring] = []
        var currentSize = 0.0
        for unit in units {
            if !current.isEmpty, currentSize + unit.size > maxSize || currentSize >= target {
                pieces.append(Substring(current.joined(separator: separator)))
                current = []
                currentSize = 0
            }
            current.append(unit.text)
            currentSize += unit.size
        }
        if !current.isEmpty { pieces.append(Substring(current.joined(separator: separator))) }
        return pieces
    }

    /// A paragraph over the limit: whole sentences packed together; a sentence over the limit on its own
    /// is cut between words (or between ideographs, for text without spaces).
    private func splitLongParagraph(_ paragraph: Substring) -> [Substring] {
        var pieces: [Substring] = []
        var run: [Range<String.Index>] = []
        var runSize = 0.0
        let sentences = Self.sentenceRanges(in: paragraph)
        let total = Self.size(of: paragraph)
        let target = total / (total / maxSize).rounded(.up)
        func flush() {
            guard let first = run.first, let last = run.last else { return }
            pieces.append(trimmed(paragraph[first.lowerBound..<last.upperBound]))
            run = []
            runSize = 0
        }
        for range in sentences {
            let size = Self.size(of: paragraph[range])
            if size > maxSize {
                flush()
                pieces.append(contentsOf: splitLongSentence(paragraph[range]))
                continue
            }
            if !run.isEmpty, runSize + size > maxSize || runSize >= target { flush() }
            run.append(range)
            runSize += size
        }
        flush()
        return pieces.filter { !$0.isEmpty }
    }

    private func splitLongSentence(_ sentence: Substring) -> [Substring] {
        var pieces: [Substring] = []
        var start = sentence.startIndex
        var size = 0.0
        var lastBreak: String.Index?
        var inWord = false
        var index = sentence.startIndex
        while index < sentence.endIndex {
            let scalar = sentence.unicodeScalars[index]
            var step = 0.0
            if scalar.isCJKIdeograph {
                step = 0.5
                lastBreak = index
                inWord = false
            } else if scalar.properties.isWhitespace {
                lastBreak = index
                inWord = false
            } else if !inWord {
                step = 1
                inWord = true
            }
            if size + step > maxSize, let cut = lastBreak, cut > start {
                pieces.append(trimmed(sentence[start..<cut]))
                start = cut
                size = Self.size(of: sentence[start..<index])
                lastBreak = nil
            }
            size += step
            index = sentence.unicodeScalars.index(after: index)
        }
        pieces.append(trimmed(sentence[start...]))
        return pieces.filter { !$0.isEmpty }
    }

    /// Paragraphs: runs of non-blank lines, trimmed.
    static func paragraphs(of text: String) -> [Substring] {
        var result: [Substring] = []
        var start: String.Index?
        var end = text.startIndex
        var lineStart = text.startIndex
        while lineStart < text.endIndex {
            let lineEnd = text[lineStart...].firstIndex(of: "\n") ?? text.endIndex
            let line = text[lineStart..<lineEnd]
            if line.allSatisfy(\.isWhitespace) {
                if let s = start { result.append(text[s..<end]) }
                start = nil
            } else {
                if start == nil { start = lineStart }
                end = lineEnd
            }
            lineStart = lineEnd < text.endIndex ? text.index(after: lineEnd) : text.endIndex
        }
        if let s = start { result.append(text[s..<end]) }
        return result.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// Sentence ranges covering the whole paragraph: a sentence ends after `.`, `!`, `?` (with closing
    /// quotes or brackets) followed by a space, or after `。`, `！`, `？`, `；` at once.
    static func sentenceRanges(in paragraph: Substring) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        let scalars = paragraph.unicodeScalars
        var start = paragraph.startIndex
        var index = paragraph.startIndex
        while index < paragraph.endIndex {
            let scalar = scalars[index]
            var next = scalars.index(after: index)
            let fullWidthStop = ["。", "！", "？", "；"].contains(scalar)
            if fullWidthStop || [".", "!", "?"].contains(scalar) {
                while next < paragraph.endIndex, ["\"", "'", ")", "]", "”", "’", "）", "」", "』"].contains(scalars[next]) {
                    next = scalars.index(after: next)
                }
                let atSpace = next == paragraph.endIndex || scalars[next].properties.isWhitespace
                if fullWidthStop || atSpace {
                    ranges.append(start..<next)
                    start = next
                }
            }
            index = next
        }
        if start < paragraph.endIndex { ranges.append(start..<paragraph.endIndex) }
        return ranges.filter { !paragraph[$0].allSatisfy(\.isWhitespace) }
    }

    private static func isCJKPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        (0x3000...0x303F).contains(scalar.value) || (0xFF00...0xFF65).contains(scalar.value)
    }

    private func trimmed(_ s: Substring) -> Substring { s.trimmingWhitespace() }
}

extension StringProtocol where SubSequence == Substring {
    func trimmingWhitespace() -> Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return self[endIndex...] }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return self[first...last]
    }
}
