import AtlasCore
import Foundation

/// The words of a text that carry its meaning, in a form that matches across inflections:
/// English words lower-cased, stop-words dropped, lightly stemmed ("nuclei" ~ "nucleus", "glands" ~
/// "gland", "tumour" ~ "tumor"); Chinese as character bigrams of the runs between function characters
/// (a one-character run stands for itself), since Chinese has no spaces to split words at.
public enum ContentTerms {
    public static func terms(of text: String) -> Set<String> {
        var terms: Set<String> = []
        var latin = ""
        var cjkRun: [Character] = []
        func flushLatin() {
            if let term = englishTerm(latin) { terms.insert(term) }
            latin = ""
        }
        func flushCJK() {
            terms.formUnion(chineseTerms(cjkRun))
            cjkRun = []
        }
        for c in text {
            if c.isLetter && !c.isCJK || c.isNumber && c.isASCII {
                flushCJK()
                latin.append(c)
            } else if c.isCJK, c.unicodeScalars.first.map({ $0.isCJKIdeograph }) == true {
                flushLatin()
                if chineseStopCharacters.contains(c) {
                    flushCJK()
                } else {
                    cjkRun.append(c)
                }
            } else {
                flushLatin()
                flushCJK()
            }
        }
        flushLatin()
        flushCJK()
        return terms
    }

    static func englishTerm(_ word: String) -> String? {
        let lower = word.lowercased()
        guard lower.count >= 2, !englishStopWords.contains(lower) else { return nil }
        if lower.allSatisfy(\.isNumber) { return lower }
        let stemmed = stem(lower)
        return englishStopWords.contains(stemmed) ? nil : stemmed
    }

    static func chineseTerms(_ run: [Character]) -> [String] {
        // A filler word splits the run like a stop character: "图像中的" must not leave the false pair "像中".
        var pieces: [[Character]] = [[]]
        var i = 0
        while i < run.count {
            if i + 1 < run.count, chineseStopBigrams.contains(String(run[i...i + 1])) {
                pieces.append([])
                i += 2
            } else {
                pieces[pieces.count - 1].append(run[i])
                i += 1
            }
        }
        return pieces.filter { !$0.isEmpty }.flatMap { piece -> [String] in
            guard piece.count > 1 else { return [String(piece[0])] }
            return (0..<(piece.count - 1)).map { String(piece[$0...$0 + 1]) }
        }
    }

    /// A light suffix stripper: enough to match plurals and verb forms, not a full Porter stemmer.
    static func stem(_ word: String) -> String {
        var w = irregular[word] ?? word
        for (british, american) in spellings where w.contains(british) {
            w = w.replacingAll(british, with: american)
        }
        if w.hasSuffix("ies"), w.count > 4 { return String(w.dropLast(3)) + "y" }
        if w.hasSuffix("sses") { return String(w.dropLast(2)) }
        if w.hasSuffix("ing"), w.count > 5 { return String(w.dropLast(3)) }
        if w.hasSuffix("ed"), w.count > 4, !w.hasSuffix("eed") { return String(w.dropLast(2)) }
        if w.hasSuffix("es"), w.count > 4, ["ch", "sh", "x"].contains(where: { w.dropLast(2).hasSuffix($0) }) {
            return String(w.dropLast(2))
        }
        if w.hasSuffix("s"), w.count > 3, !w.hasSuffix("ss"), !w.hasSuffix("us"), !w.hasSuffix("is") {
            return String(w.dropLast())
        }
        return w
    }

    static let irregular: [String: String] = [
        "nuclei": "nucleus", "mitoses": "mitosis", "lumina": "lumen", "stromata": "stroma", "necroses": "necrosis",
        "metastases": "metastasis", "atypia": "atypical", "criteria": "criterion", "foci": "focus",
        "diagnoses": "diagnosis", "neoplasia": "neoplasm", "neoplastic": "neoplasm", "malignant": "malignancy",
        "hyperplastic": "hyperplasia", "nuclear": "nucleus",
    ]

    static let spellings: [(String, String)] = [("tumour", "tumor"), ("haem", "hem"), ("oedema", "edema"), ("colour", "color")]

    static let englishStopWords: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
        "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
        "did", "do", "does", "doing", "done", "down", "during", "each", "either", "else", "etc", "few", "for",
        "from", "further", "get", "got", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
        "how", "however", "if", "in", "into", "is", "it", "its", "itself", "just", "let", "like", "may", "me",
        "might", "more", "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off", "on", "once",
        "one", "only", "or", "other", "our", "out", "over", "own", "please", "same", "see", "seen", "she",
        "should", "show", "shown", "shows", "so", "some", "such", "tell", "than", "that", "the", "their", "them",
        "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "us",
        "usually", "very", "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who",
        "whom", "why", "will", "with", "within", "would", "you", "your", "image", "picture", "photo",
        "describe", "explain", "look", "looks", "thing", "things", "kind", "question", "answer", "typical",
        "often", "common", "commonly", "mean", "means", "here", "seen", "case", "cases", "ha", "wa",
    ]

    /// Function characters that separate Chinese content words.
    static let chineseStopCharacters: Set<Character> = [
        "的", "了", "是", "在", "和", "与", "及", "或", "吗", "呢", "吧", "啊", "把", "被", "这", "那", "也",
        "都", "就", "而", "其", "之", "个", "些", "从", "对", "请", "我", "你", "它", "该", "此", "哪", "么",
        "何", "怎", "样",
    ]

    /// Question words and filler that survive the stop characters.
    static let chineseStopBigrams: Set<String> = [
        "什么", "哪些", "如何", "为什", "图像", "图片", "照片", "问题", "一下", "告诉", "描述", "说明", "主要",
        "一般", "通常", "多少", "为什么",
    ]
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
