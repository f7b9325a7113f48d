/// Splits passage or answer text into sentences.
///
/// English ends a sentence at `.`, `!` or `?` followed by a space (or the end), unless the word before the
/// period is an abbreviation ("e.g.", "vs.", "et al.") or the next word starts in lower case; "1.5" never
/// splits because no space follows its period. Chinese ends one at `。！？；` with or without a space.
/// Paragraphs and Markdown list items are separate sentences; hard-wrapped lines are joined. Citations
/// written just after the end mark ("… cells. [2]") stay with the sentence they follow.
public enum SentenceSplitter {
    public static func sentences(in text: String) -> [String] {
        blocks(of: text).flatMap(splitBlock)
    }

    /// Periods after these never end a sentence (compared in lower case, without the final period).
    static let abbreviations: Set<String> = [
        "e.g", "i.e", "eg", "ie", "vs", "cf", "approx", "fig", "figs", "al", "dr", "ca", "resp", "incl",
        "viz", "no", "nos", "pp", "p", "mr", "mrs", "ms", "st", "mt", "ref", "refs", "sp", "spp", "var",
    ]

    static let chineseEnds: Set<Character> = ["。", "！", "？", "；"]
    static let latinEnds: Set<Character> = [".", "!", "?"]
    /// Closing quotes and brackets that belong to the sentence they follow.
    static let closers: Set<Character> = ["\"", "'", ")", "]", "”", "’", "」", "』", "）", "》"]

    /// Paragraphs and list items, each with its wrapped lines joined.
    static func blocks(of text: String) -> [String] {
        var blocks: [String] = []
        var current = ""
        func flush() {
            let trimmed = current.trimmingWhitespace
            if !trimmed.isEmpty { blocks.append(trimmed) }
            current = ""
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine).trimmingWhitespace
            if line.isEmpty {
                flush()
                continue
            }
            if let item = listItemBody(line) {
                flush()
                line = item
            } else if line.hasPrefix("#") {
                // A Markdown heading is a block of its own.
                flush()
                current = String(line.drop { $0 == "#" })
                flush()
                continue
            }
            current = joinWrapped(current, String(line))
        }
        flush()
        return blocks
    }

    /// The text of a list item ("- x", "* x", "• x", "1. x", "2) x"), or nil when the line is not one.
    static func listItemBody(_ line: String) -> String? {
        for bullet in ["- ", "* ", "• ", "· "] where line.hasPrefix(bullet) {
            return String(line.dropFirst(bullet.count)).trimmingWhitespace
        }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 3 else { return nil }
        let rest = line.dropFirst(digits.count)
        guard let mark = rest.first, mark == "." || mark == ")" || mark == "、" else { return nil }
        let body = rest.dropFirst()
        guard mark == "、" || body.first == " " else { return nil }
        return String(body).trimmingWhitespace
    }

    /// Joins a hard-wrapped line: with a space between Latin words, with nothing between CJK characters.
    static func joinWrapped(_ head: String, _ tail: String) -> String {
        guard let last = head.last, let first = tail.first else { return head + tail }
        return last.isCJK && first.isCJK ? head + tail : head + " " + tail
    }

    static func splitBlock(_ block: String) -> [String] {
        let chars = Array(block)
        var sentences: [String] = []
        var start = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var end: Int?
            if chineseEnds.contains(c) {
                end = i + 1
            } else if latinEnds.contains(c), endsLatinSentence(chars, at: i) {
                end = i + 1
            }
            guard var cut = end else {
                i += 1
                continue
            }
            cut = absorbTrailing(chars, from: cut)
            let sentence = String(chars[start..<cut]).trimmingWhitespace
            if !sentence.isEmpty { sentences.append(sentence) }
            start = cut
            i = cut
        }
        let rest = String(chars[start...]).trimmingWhitespace
        if !rest.isEmpty { sentences.append(rest) }
        return sentences
    }

    /// Whether the `.`, `!` or `?` at `i` ends an English sentence.
    static func endsLatinSentence(_ chars: [Character], at i: Int) -> Bool {
        var next = i + 1
        while next < chars.count, closers.contains(chars[next]) { next += 1 }
        guard next < chars.count else { return true }
        // "1.5", "e.g.x", "...": no space, no end — except before a CJK character or a citation.
        guard chars[next].isWhitespace else { return chars[next].isCJK || chars[next] == "[" }
        guard chars[i] == "." else { return true }
        if isAbbreviation(chars, periodAt: i) { return false }
        var word = next
        while word < chars.count, chars[word].isWhitespace { word += 1 }
        guard word < chars.count else { return true }
        return !chars[word].isLowercase
    }

    static func isAbbreviation(_ chars: [Character], periodAt i: Int) -> Bool {
        var s = i
        while s > 0, !chars[s - 1].isWhitespace, chars[s - 1] != "(" { s -= 1 }
        let word = String(chars[s..<i]).lowercased()
        if abbreviations.contains(word) { return true }
        // A single capital initial ("H. pylori") is not a sentence end either.
        return word.count == 1 && chars[s].isUppercase
    }

    /// Moves past closing quotes and any citations (`[2]`, `[1, 3]`, `【2】`) right after an end mark.
    static func absorbTrailing(_ chars: [Character], from cut: Int) -> Int {
        var j = cut
        while j < chars.count, closers.contains(chars[j]) { j += 1 }
        var k = j
        while true {
            var m = k
            while m < chars.count, chars[m] == " " { m += 1 }
            guard m < chars.count, chars[m] == "[" || chars[m] == "【" || chars[m] == "［" else { break }
            var close = m + 1
            while close < chars.count, chars[close] != "]", chars[close] != "】", chars[close] != "］",
                chars[close].isCitationInterior
            {
                close += 1
            }
            guard close < chars.count, close > m + 1, !chars[close].isCitationInterior else { break }
            k = close + 1
        }
        return k
    }
}

extension Character {
    var isCJK: Bool { unicodeScalars.first?.isCJKIdeographLike ?? false }

    /// Digits, separators and dashes that may stand inside a citation bracket.
    var isCitationInterior: Bool {
        isASCII && isNumber || self == "," || self == " " || self == "-" || self == "–" || self == "—"
            || self == "，" || self == "、" || self == "－"
    }
}

extension Unicode.Scalar {
    /// Ideographs plus CJK punctuation, so Chinese text joins and splits as Chinese.
    var isCJKIdeographLike: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0xF900...0xFAFF, 0x3000...0x303F, 0xFF00...0xFFEF:
            true
        default: false
        }
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
