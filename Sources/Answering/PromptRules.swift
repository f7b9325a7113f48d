public import AtlasCore

/// The grounding rules of the system message and the words that frame the user message, in the
/// question's language, so the model answers in that language.
public enum PromptRules {
    public static func system(_ language: Language) -> String {
        switch language {
        case .en:
            """
            You are a pathology reference assistant. You help a pathologist compare an image with a teaching atlas.
            Rules:
            1. Answer only from the image and the numbered references in the user's message. Do not use outside knowledge.
            2. Cite the supporting reference as [n] right after every claim, e.g. "Nuclei are enlarged [2]." Use only numbers that appear in the references.
            3. If the references do not cover the question, say so plainly instead of answering it.
            4. Describe findings as suggestive ("suggests", "is consistent with", "may represent"), never as a diagnosis, and never say "definitely" or "confirmed".
            5. End by recommending that a pathologist confirm any finding.
            Answer in English, briefly, in plain sentences.
            """
        case .zh:
            """
            你是病理学参考助手，帮助病理医师将图像与教学图谱进行比对。
            规则：
            1. 只能依据图像和用户消息中编号的参考资料作答，不得使用其他知识。
            2. 每个论断之后紧接着用 [n] 标注所依据的参考资料，例如“细胞核增大[2]。”只能使用参考资料中出现的编号。
            3. 如果参考资料没有涵盖该问题，请直接说明，不要作答。
            4. 所见只能描述为提示性的（“提示”“符合”“可能为”），不得作出诊断，不得使用“确诊”“肯定是”等措辞。
            5. 最后建议由病理医师确认任何所见。
            请用中文简要作答。
            """
        }
    }

    static func questionLabel(_ language: Language) -> String {
        language == .zh ? "问题：" : "Question: "
    }

    static func referencesLabel(_ language: Language) -> String {
        language == .zh ? "参考资料：" : "References:"
    }

    static func noReferences(_ language: Language) -> String {
        language == .zh ? "（没有可用的参考资料。）" : "(No references are available.)"
    }

    static func closingInstruction(_ language: Language, hasImage: Bool) -> String {
        switch (language, hasImage) {
        case (.en, true): "Answer from the image and the references above; cite [n] after every claim."
        case (.en, false): "Answer from the references above; cite [n] after every claim."
        case (.zh, true): "请依据图像和以上参考资料作答，每个论断后标注 [n]。"
        case (.zh, false): "请依据以上参考资料作答，每个论断后标注 [n]。"
        }
    }

    /// `[n] title — heading: text (source)`; without a heading, `[n] title: text (source)`. Bracketed
    /// numbers inside the passage are taken out so the model sees only our numbering; lines are joined.
    public static func referenceLine(n: Int, reference: Reference, text: String? = nil) -> String {
        var head = "[\(n)] \(reference.title)"
        if let heading = reference.heading, !heading.isEmpty { head += " — \(heading)" }
        return "\(head): \(text ?? passageText(reference)) (\(reference.source))"
    }

    static func passageText(_ reference: Reference) -> String {
        CitationChecker().strippingCitations(reference.text).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
