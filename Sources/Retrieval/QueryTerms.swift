import AtlasCore
/// The content terms of a question: what a passage must mention to be about it.
///
/// Latin words are lower-cased, stripped of common suffixes (so "nuclei"/"nucleus", "invading"/"invasion"
/// meet at a shared stem) and filtered against a stop list; CJK runs become overlapping character bigrams
/// (and single characters when a run has only one), since Chinese has no spaces to split on.
public struct QueryTerms: Sendable, Hashable {
    public var terms: [String]

    public init(_ text: String) {
        var terms: [String] = []
        var seen = Set<String>()
        func add(_ t: String) {
            if seen.insert(t).inserted { terms.append(t) }
        }
        var word = ""
        var cjkRun: [Character] = []
        func flushWord() {
            defer { word = "" }
            guard word.count >= 3, !Self.stopWords.contains(word) else { return }
            add(Self.stem(word))
        }
        func flushCJK() {
            defer { cjkRun = [] }
            // Function characters split a run: a bigram across one would pair unrelated characters.
            for segment in cjkRun.split(whereSeparator: { Self.cjkStopCharacters.contains($0) }) {
                let run = Array(segment)
                if run.count == 1 { add(String(run)) }
                if run.count >= 2 {
                    for i in 0..<(run.count - 1) { add(String(run[i...i + 1])) }
                }
            }
        }
        for ch in text.lowercased() {
            if let s = ch.unicodeScalars.first, s.isCJKIdeograph {
                flushWord()
                cjkRun.append(ch)
            } else if ch.isLetter || ch.isNumber {
                flushCJK()
                word.append(ch)
            } else {
                flushWord()
                flushCJK()
            }
        }
        flushWord()
        flushCJK()
        self.terms = terms
    }

    /// The share of terms found in `text` (0 when there are no terms).
    public func coverage(in text: String) -> Float {
        guard !terms.isEmpty else { return 0 }
        let haystack = text.lowercased()
        let found = terms.filter { haystack.contains($0) }.count
        return Float(found) / Float(terms.count)
    }

    /// Crude suffix stripping; enough to meet morphological variants by substring match.
    static func stem(_ word: String) -> String {
        for suffix in ["ations", "ation", "ions", "ion", "ings", "ing", "ies", "ous", "ed", "es", "ic", "al", "ei", "us", "s", "y"] {
            if word.hasSuffix(suffix) && word.count - suffix.count >= 4 {
                return String(word.dropLast(suffix.count))
            }
        }
        return word
    }

    static let stopWords: Set<String> = [
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our",
        "out", "has", "have", "his", "how", "its", "may", "who", "did", "does", "what", "when", "where", "which",
        "why", "with", "this", "that", "these", "those", "there", "their", "them", "they", "then", "than", "from",
        "into", "about", "would", "could", "should", "shall", "will", "been", "being", "were", "is", "be", "of",
        "see", "seen", "look", "looks", "like", "show", "shows", "tell", "between", "apart", "here", "image",
        "picture", "slide", "field", "some", "such", "other", "more", "most", "very", "also", "only", "each",
        "both", "either", "there", "please", "describe", "explain", "features", "feature",
    ]

    /// Function characters that carry no topic (的, 是, 吗 …).
    static let cjkStopCharacters: Set<Character> = [
        "的", "是", "吗", "呢", "了", "在", "和", "与", "这", "那", "个", "些", "有", "什", "么", "怎", "样", "哪", "如", "何", "请",
        "张", "图", "像", "中", "吧", "啊", "及", "或", "其", "为",
    ]
}
