public import AtlasCore

/// What a chat decoder sends: the grounding rules, the earlier turns that fit, and the user's message
/// (the question followed by the numbered references). The image travels beside it, not in the text.
public struct ChatPrompt: Sendable, Hashable {
    public var system: String
    /// Earlier turns that fit the budget, oldest first (the most recent are kept first).
    public var history: [ConversationTurn]
    public var user: String
    /// How many references, from [1] on, the user message carries; the rest did not fit.
    public var includedReferences: Int
    public var estimatedTokens: Int
}

/// Lays out the prompt for a chat decoder within a token budget.
///
/// Priority when the budget is short: the rules and the question always; then references in order
/// ([1] first, the last one that fits cut at a sentence or character boundary); then earlier turns,
/// newest first. References are numbered exactly as in `DecodeRequest.references`, so a model's `[n]`
/// means the same reference everywhere.
public struct PromptBuilder: Sendable {
    /// Tokens for everything the prompt holds (rules, turns, question, references), estimated by `TokenEstimate`.
    public var tokenBudget: Int
    /// A reference cut shorter than this many tokens is left out rather than sent as a stub.
    public var minimumReferenceTokens = 40

    public init(tokenBudget: Int = 6000) {
        self.tokenBudget = tokenBudget
    }

    public func build(_ request: DecodeRequest) -> ChatPrompt {
        let system = Self.rules(request.language)
        let head = Self.questionBlock(request)
        var remaining = tokenBudget - TokenEstimate.tokens(in: system) - TokenEstimate.tokens(in: head)

        var blocks: [String] = []
        for (n, reference) in request.numberedReferences {
            let block = Self.referenceLine(n: n, reference)
            let cost = TokenEstimate.tokens(in: block) + 1
            if cost <= remaining {
                blocks.append(block)
                remaining -= cost
                continue
            }
            if remaining >= minimumReferenceTokens, let cut = Self.truncate(block, toTokens: remaining - 1) {
                blocks.append(cut)
                remaining -= TokenEstimate.tokens(in: cut) + 1
            }
            break
        }

        var history: [ConversationTurn] = []
        for turn in request.history.reversed() {
            let cost = TokenEstimate.tokens(in: turn.question) + TokenEstimate.tokens(in: turn.answer) + 8
            guard cost <= remaining else { break }
            history.insert(turn, at: 0)
            remaining -= cost
        }

        let user = ([head] + blocks).joined(separator: "\n")
        return ChatPrompt(
            system: system, history: history, user: user, includedReferences: blocks.count,
            estimatedTokens: tokenBudget - remaining)
    }

    /// `[1] Title — Heading: text (source)`; bracketed numbers inside the passage are taken out so the
    /// model sees only our numbering.
    public static func referenceLine(n: Int, _ reference: Reference) -> String {
        let heading = reference.heading.map { " — \($0)" } ?? ""
        let text = CitationChecker().strippingCitations(reference.text).split(whereSeparator: \.isNewline)
            .joined(separator: " ")
        return "[\(n)] \(reference.title)\(heading): \(text) (\(reference.source))"
    }

    static func questionBlock(_ request: DecodeRequest) -> String {
        switch request.language {
        case .en:
            """
            Question: \(request.question)
            Support from the atlas for this question: \(request.support.rawValue).
            References:
            """
        case .zh:
            """
            问题：\(request.question)
            图谱对该问题的支持程度：\(AnswerFraming.chineseName(of: request.support))。
            参考资料：
            """
        }
    }

    /// The block cut to fit `tokens`, at the last sentence end if one is near, else at a character, with "…".
    static func truncate(_ block: String, toTokens tokens: Int) -> String? {
        var low = 0
        var high = block.count
        let chars = Array(block)
        while low < high {
            let mid = (low + high + 1) / 2
            if TokenEstimate.tokens(in: String(chars[..<mid]) + "…") <= tokens { low = mid } else { high = mid - 1 }
        }
        guard low > 0 else { return nil }
        var cut = low
        if let end = chars[..<low].lastIndex(where: { ".。!?！？".contains($0) }), end > low * 2 / 3 { cut = end + 1 }
        return String(chars[..<cut]) + "…"
    }

    /// The grounding rules, in the question's language.
    public static func rules(_ language: Language) -> String {
        switch language {
        case .en:
            """
            You are AtlasQA, an assistant that answers questions about pathology images from a reference atlas.
            Rules:
            1. Answer only from the image and the numbered references; use no other knowledge.
            2. Cite the reference that supports each claim as [n] right after the claim, using only the numbers given.
            3. If the references do not cover the question, say so plainly instead of answering.
            4. Describe findings as suggestive of or consistent with an entity, never as a diagnosis, and avoid absolute words.
            5. Recommend that a pathologist confirm any finding.
            Answer in English.
            """
        case .zh:
            """
            你是 AtlasQA，依据参考图谱回答病理图像相关问题的助手。
            规则：
            1. 只根据图像和编号的参考资料作答，不使用其他知识。
            2. 每个论断之后用 [n] 标注支持它的参考资料，只能使用给出的编号。
            3. 如果参考资料没有涵盖该问题，请直接说明，不要作答。
            4. 将所见描述为“提示”或“符合”，不要作出诊断，避免绝对化的措辞。
            5. 建议由病理医师确认任何所见。
            请用中文回答。
            """
        }
    }
}
