import AtlasCore
import Foundation

/// A user's search text cut into terms for the three lexical channels. The text is data, never FTS5
/// syntax: terms are letters and digits only, and each goes to FTS5 as a quoted string.
struct LexicalQuery: Hashable {
    /// Lower-cased words of alphabetic scripts (for the unicode61 table), common English words dropped.
    var words: [String] = []
    /// Every 3-character window of each CJK run of 3 or more (for the trigram table).
    var trigrams: [String] = []
    /// CJK runs of 1–2 characters, and the 2-character windows of longer runs: Chinese words are mostly
    /// two characters, which the trigram table cannot match; these are matched by substring instead.
    var shortCJKTerms: [String] = []

    /// Caps keep a pasted essay (or a long conversation context) from turning into a thousand-term query.
    /// The LAST terms are kept: callers put earlier turns first and the question last.
    static let maxWords = 64
    static let maxTrigrams = 64
    static let maxShortCJKTerms = 48

    var isEmpty: Bool { words.isEmpty && trigrams.isEmpty && shortCJKTerms.isEmpty }

    init(_ text: String) {
        var allWords: [String] = []
        var cjkRuns: [[Character]] = []
        var word = ""
        var cjk: [Character] = []
        func flush() {
            if !word.isEmpty { allWords.append(word.lowercased()); word = "" }
            if !cjk.isEmpty { cjkRuns.append(cjk); cjk = [] }
        }
        // NFKC folds full-width forms (ＨＥＲ２ → HER2) as typed by Chinese input methods.
        for character in text.precomposedStringWithCompatibilityMapping {
            if character.unicodeScalars.first?.isCJKIdeograph == true {
                if !word.isEmpty { flush() }
                cjk.append(character)
            } else if character.isLetter || character.isNumber {
                if !cjk.isEmpty { flush() }
                word.append(character)
            } else {
                flush()
            }
        }
        flush()

        let contentWords = allWords.filter { !Self.stopWords.contains($0) }
        // A query of only common words ("what is it") still searches with them rather than for nothing.
        words = Array(unique(contentWords.isEmpty ? allWords : contentWords).suffix(Self.maxWords))
        let allTrigrams = cjkRuns.flatMap { Self.windows(of: $0, size: 3) }
        trigrams = Array(unique(allTrigrams.filter { !Self.spansFunctionWord($0) }).suffix(Self.maxTrigrams))
        let short = cjkRuns.flatMap { run in run.count <= 2 ? [String(run)] : Self.windows(of: run, size: 2) }
        let contentShort = short.filter { !Self.spansFunctionWord($0) }
        // As with English: a question of nothing but function words still searches with them.
        shortCJKTerms = Array(unique(contentShort.isEmpty && trigrams.isEmpty ? short : contentShort).suffix(Self.maxShortCJKTerms))
    }

    /// CJK n-grams holding a particle or a question word ("什么", "的细", "是什么"): frequent in questions,
    /// rare in atlas text, so matching them would only reward passages that happen to contain them.
    static func spansFunctionWord(_ term: String) -> Bool {
        if term.contains(where: { chineseParticles.contains($0) }) { return true }
        let characters = Array(term)
        guard characters.count >= 2 else { return false }
        return (0..<characters.count - 1).contains { chineseQuestionWords.contains(String(characters[$0...$0 + 1])) }
    }

    static let chineseParticles: Set<Character> = ["的", "吗", "呢", "么", "了", "吧", "啊", "哪", "谁"]
    static let chineseQuestionWords: Set<String> = [
        "什么", "是什", "哪些", "怎么", "如何", "为什", "这是", "那是", "是否", "一个", "这个", "那个", "请问", "图中", "这张",
        "张图", "图片", "图像", "可以", "是不", "不是", "有没", "没有", "应该",
    ]

    /// `"tok" OR "tok2"`: every term an FTS5 string literal (inner quotes doubled), so no input is syntax.
    static func ftsMatchExpression(_ terms: [String]) -> String {
        terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
    }

    private static func windows(of run: [Character], size: Int) -> [String] {
        guard run.count >= size else { return [] }
        return (0...(run.count - size)).map { String(run[$0 ..< $0 + size]) }
    }

    /// Words so common in questions that matching them only adds noise (and slow OR scans).
    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "in",
        "is", "it", "its", "of", "on", "or", "show", "that", "the", "this", "to", "was", "what", "when",
        "where", "which", "who", "why", "with", "you", "me", "there", "these", "those", "be", "been",
    ]
}

private func unique(_ terms: [String]) -> [String] {
    var seen = Set<String>()
    return terms.filter { seen.insert($0).inserted }
}
