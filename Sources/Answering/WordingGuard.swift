public import AtlasCore
import Foundation

/// Keeps answers from sounding like a diagnosis. Absolute phrases in English and Chinese ("definitely",
/// "diagnostic of", "确诊", "肯定是", …) are rewritten as suggestions ("possibly", "suggestive of",
/// "提示", "可能是") and reported; then the support line and the closing reminder are put at the end,
/// exactly once, in the answer's language (whatever copies the decoder wrote are taken out first).
public struct WordingGuard: Sendable {
    public struct Result: Sendable, Hashable {
        public var text: String
        /// The absolute phrases found and softened, as they were written (grouped by rule, not in text order).
        public var softened: [String]
    }

    /// Phrases no answer may contain (compare case-insensitively). Tests check answers against this list.
    /// Context-dependent wording ("this is a … carcinoma", "一定是" but not "不一定是") is caught by
    /// `absoluteWording(in:)`, which includes this list.
    public static let bannedPhrases: [String] = [
        "definitely", "definitively", "definite diagnosis", "certainly", "undoubtedly", "without doubt",
        "without a doubt", "beyond doubt", "unequivocally", "confirmed diagnosis", "confirms the diagnosis",
        "diagnosis is confirmed", "diagnostic of", "pathognomonic", "100% certain",
        "确诊", "肯定是", "毫无疑问", "明确诊断", "绝对是", "必然是", "无疑是", "可以确定是", "百分之百",
    ]

    /// Every absolute phrase in `text`, banned list and context rules together, as written.
    public static func absoluteWording(in text: String) -> [String] {
        let range = NSRange(text.startIndex..., in: text)
        var found: [(Int, String)] = []
        for rule in rules {
            for match in rule.regex.matches(in: text, range: range) {
                if let r = Range(match.range, in: text) { found.append((match.range.location, String(text[r]))) }
            }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    public init() {}

    /// Softens absolute wording and frames the answer with the support line and the closing reminder.
    /// A "not covered" answer gets neither: there is nothing to weigh or to confirm.
    public func review(_ text: String, language: Language, support: Support) -> Result {
        var softened: [String] = []
        var body = text
        for rule in Self.rules {
            body = rule.apply(to: body, found: &softened)
        }
        body = Self.removingFraming(body)
        if body == AnswerFraming.notCovered(language) || body.isEmpty {
            return Result(text: AnswerFraming.notCovered(language), softened: softened)
        }
        let framed = [
            body, AnswerFraming.supportLine(support, language: language), AnswerFraming.closingReminder(language),
        ]
        return Result(text: framed.joined(separator: "\n"), softened: softened)
    }

    /// The text without any copy of the fixed lines (either language), and without the blank lines left behind.
    static func removingFraming(_ text: String) -> String {
        var body = text
        for language in Language.allCases {
            body = body.replacingAll(AnswerFraming.closingReminder(language), with: "")
            for support in Support.allCases {
                body = body.replacingAll(AnswerFraming.supportLine(support, language: language), with: "")
            }
        }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        var kept: [String] = []
        for line in lines where !(line.isEmpty && (kept.last?.isEmpty ?? true)) { kept.append(line) }
        while kept.last?.isEmpty == true { kept.removeLast() }
        return kept.joined(separator: "\n")
    }

    /// One rewrite: a pattern and its softer replacement (`$1` etc. refer to the pattern's groups).
    struct Rule: Sendable {
        let regex: NSRegularExpression
        let template: String

        init(_ pattern: String, _ template: String) {
            // The patterns are literals of this file; a bad one is a programming error caught by every test run.
            regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            self.template = template
        }

        func apply(to text: String, found: inout [String]) -> String {
            let matches = regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
            guard !matches.isEmpty else { return text }
            var result = ""
            var cursor = text.startIndex
            for match in matches {
                guard let range = Range(match.range, in: text) else { continue }
                let original = String(text[range])
                found.append(original)
                var replacement = regex.replacementString(for: match, in: text, offset: 0, template: template)
                // Keep a sentence-initial capital: "Definitely" → "Possibly".
                if original.first?.isUppercase == true, let first = replacement.first, first.isLowercase {
                    replacement = first.uppercased() + replacement.dropFirst()
                }
                result += text[cursor..<range.lowerBound]
                result += replacement
                cursor = range.upperBound
            }
            return result + text[cursor...]
        }
    }

    /// Most specific first: negated forms before the bare phrase, so "not diagnostic of" keeps its sense.
    static let rules: [Rule] = [
        // English
        Rule(#"\bnot diagnostic of\b"#, "not by itself conclusive for"),
        Rule(#"\bdiagnostic of\b"#, "suggestive of"),
        Rule(#"\bpathognomonic (?:of|for)\b"#, "characteristic of"),
        Rule(#"\bpathognomonic\b"#, "characteristic"),
        Rule(#"\b(?:a |the )?(?:confirmed|definite) diagnosis\b"#, "a possible diagnosis"),
        Rule(#"\bconfirms the diagnosis\b"#, "supports the possibility"),
        Rule(#"\bdiagnosis is confirmed\b"#, "diagnosis would need confirmation"),
        Rule(#"\b(?:is|are) (?:definitely|certainly|undoubtedly|unequivocally)\b"#, "may be"),
        Rule(#"\b(?:definitely|certainly|undoubtedly|unequivocally) (?:is|are)\b"#, "may be"),
        Rule(#"\bthere is no doubt (?:that )?"#, "it is possible that "),
        Rule(#"\b(?:without (?:a |any )?doubt|beyond (?:a |any )?doubt)\b,?"#, "possibly"),
        Rule(#"\b(?:definitely|definitively|certainly|undoubtedly)\b"#, "possibly"),
        // Qualifying a finding ("one unequivocally distorted crypt"), not a diagnosis: keep the sense.
        Rule(#"\bunequivocally\b"#, "clearly"),
        Rule(#"\b100% certain\b"#, "fairly confident"),
        Rule(
            #"\b(this|it) is (a|an) ((?:[\w-]+ ){0,3}?)(carcinoma|adenocarcinoma|lymphoma|sarcoma|melanoma|malignancy|cancer|metastasis)\b"#,
            "$1 may represent $2 $3$4"),
        // Chinese: negations first ("不能确诊" keeps its sense), then the bare phrases.
        Rule(#"(不能|无法|未能|尚不能|不可|难以|未)(?:确诊|明确诊断)"#, "$1据此下结论"),
        Rule(#"(?:确诊为|明确诊断为)"#, "提示可能为"),
        Rule(#"确诊"#, "提示"),
        Rule(#"明确诊断"#, "初步考虑"),
        Rule(#"毫无疑问[，,]?"#, "可能"),
        Rule(#"不(?:肯定|绝对)是"#, "不一定是"),
        Rule(#"(?<!不)一定是"#, "可能是"),
        Rule(#"(?:肯定是|绝对是|必然是|无疑是|可以确定是)"#, "可能是"),
        Rule(#"百分之百"#, "较大程度上"),
        // "这是浸润性导管癌" states a diagnosis of the image; "导管原位癌是……" in atlas text defines a term.
        Rule(#"(这|此|该病变|该图像|图中病变)(?:就)?是([^，。；！？,.]{0,12}?(?:癌|肉瘤|淋巴瘤|黑色素瘤|恶性肿瘤))"#, "$1可能是$2"),
    ]
}
