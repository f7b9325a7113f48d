public import AtlasCore

/// The fixed lines every answer is framed with, in English and Chinese. Kept in one place so the
/// composer, the wording guard and the citation checker agree on what is framing and not a claim.
public enum AnswerFraming {
    /// "Support from the atlas: strong." / "参考支持程度：强。"
    public static func supportLine(_ support: Support, language: Language) -> String {
        switch language {
        case .en: "Support from the atlas: \(support.rawValue)."
        case .zh: "参考支持程度：\(chineseName(of: support))。"
        }
    }

    /// The reminder that closes every answer that has content.
    public static func closingReminder(_ language: Language) -> String {
        switch language {
        case .en:
            "This is reference material from a teaching atlas, not a diagnosis; any finding must be confirmed by a pathologist."
        case .zh:
            "以上内容为教学图谱的参考资料，并非诊断结论，任何所见均需由病理医师确认。"
        }
    }

    /// Said instead of an answer when retrieval found nothing that supports one.
    public static func notCovered(_ language: Language) -> String {
        switch language {
        case .en:
            "The atlas does not cover this question, so no answer is given from it. Please consult other references or a pathologist."
        case .zh:
            "图谱中没有涵盖这个问题的内容，因此不据此作答。请参考其他资料或咨询病理医师。"
        }
    }

    /// "The image most resembles X [1]; also similar: Y [3], Z [4]." — resemblance, never a diagnosis.
    public static func imageResemblance(
        top: (title: String, n: Int), alsoSimilar: [(title: String, n: Int)], language: Language
    ) -> String {
        switch language {
        case .en:
            let head = "The image most resembles \(top.title) [\(top.n)]"
            guard !alsoSimilar.isEmpty else { return head + "." }
            return head + "; also similar: " + alsoSimilar.map { "\($0.title) [\($0.n)]" }.joined(separator: ", ") + "."
        case .zh:
            let head = "该图像最接近“\(top.title)”[\(top.n)]"
            guard !alsoSimilar.isEmpty else { return head + "。" }
            return head + "；其他相似的有：" + alsoSimilar.map { "“\($0.title)”[\($0.n)]" }.joined(separator: "、") + "。"
        }
    }

    /// Every fixed line in both languages: these make no claim and need no citation.
    public static let framingLines: Set<String> = {
        var lines: Set<String> = []
        for language in Language.allCases {
            lines.insert(closingReminder(language))
            lines.insert(notCovered(language))
            for support in Support.allCases { lines.insert(supportLine(support, language: language)) }
        }
        return lines
    }()

    static func chineseName(of support: Support) -> String {
        switch support {
        case .strong: "强"
        case .moderate: "中等"
        case .weak: "弱"
        case .none: "无"
        }
    }
}
