import AtlasCore
import Foundation

/// The text of a chat-completions prompt, before the image is attached.
public struct ChatPrompt: Sendable, Hashable {
    public struct Message: Sendable, Hashable {
        /// "user" or "assistant".
        public var role: String
        public var text: String
    }

    public var system: String
    /// Earlier turns that fit the budget, oldest first, as user/assistant pairs.
    public var history: [Message]
    /// The question, the numbered references and the closing instruction.
    public var userText: String
    /// References `[1]`…`[includedReferences]` are in the prompt; later ones did not fit.
    public var includedReferences: Int
    /// The last included reference was cut short to fit.
    public var truncatedLastReference: Bool
    public var includedTurns: Int
    /// What the estimator makes of all the text above; at most the budget unless the rules and the
    /// question alone exceed it.
    public var estimatedTokens: Int
}

/// Lays out the prompt: grounding rules as the system message, earlier turns as chat history, then the
/// question followed by the references numbered as the answer must cite them (`[1]` = `references[0]`).
///
/// Fitting the budget: the rules and question always go in. A quarter of the budget is first held for
/// the newest earlier turns, so a follow-up keeps its thread; references then take what they need,
/// in order, stopping at the first that does not fit (cut short if it is the first, so numbering never
/// skips); turns take what is left, newest first, so the oldest are dropped first.
public struct PromptBuilder: Sendable {
    public var tokenBudget: Int
    public var estimator: PromptTokenEstimator
    /// The share of the budget kept for earlier turns before references are fitted.
    public var historyShare: Double
    /// A reference is cut short rather than left out only when at least this many tokens are free.
    public var minimumReferenceTokens: Int

    public init(
        tokenBudget: Int, estimator: PromptTokenEstimator = PromptTokenEstimator(), historyShare: Double = 0.25,
        minimumReferenceTokens: Int = 48
    ) {
        self.tokenBudget = tokenBudget
        self.estimator = estimator
        self.historyShare = historyShare
        self.minimumReferenceTokens = minimumReferenceTokens
    }

    public func build(_ request: DecodeRequest) -> ChatPrompt {
        let language = request.language
        let system = PromptRules.system(language)
        let hasImage = request.image != nil
        let frame = userText(request.question, references: [], language: language, hasImage: hasImage)
        let fixed = estimator.tokens(system) + estimator.tokens(frame) + 2 * estimator.tokensPerMessage
        var free = tokenBudget - fixed

        let turns = request.history.map(Self.historyPair)
        let turnCosts = turns.map { estimator.tokens($0.question) + estimator.tokens($0.answer) + 2 * estimator.tokensPerMessage }
        // Newest turns held back for the thread, within the history share.
        var reserved = 0
        var keptTurns = 0
        for cost in turnCosts.reversed() {
            guard reserved + cost <= Int(Double(tokenBudget) * historyShare), reserved + cost <= free else { break }
            reserved += cost
            keptTurns += 1
        }
        free -= reserved

        var lines: [String] = []
        var truncated = false
        for (n, reference) in request.numberedReferences {
            let line = PromptRules.referenceLine(n: n, reference: reference)
            let cost = estimator.tokens(line) + 1
            if cost <= free {
                lines.append(line)
                free -= cost
                continue
            }
            if free >= minimumReferenceTokens || lines.isEmpty {
                let head = PromptRules.referenceLine(n: n, reference: reference, text: "")
                let room = free - estimator.tokens(head) - 2
                let text = estimator.prefix(of: PromptRules.passageText(reference), fitting: room)
                if !text.isEmpty {
                    let cut = PromptRules.referenceLine(n: n, reference: reference, text: text + "…")
                    lines.append(cut)
                    free -= estimator.tokens(cut) + 1
                    truncated = true
                }
            }
            break
        }

        // Older turns, newest first, into what the references left.
        for cost in turnCosts.reversed().dropFirst(keptTurns) {
            guard cost <= free else { break }
            free -= cost
            keptTurns += 1
        }
        let history = turns.suffix(keptTurns).flatMap {
            [Message(role: "user", text: $0.question), Message(role: "assistant", text: $0.answer)]
        }
        let text = userText(request.question, references: lines, language: language, hasImage: hasImage)
        let estimated = estimator.tokens(system) + estimator.tokens(text) + 2 * estimator.tokensPerMessage
            + history.reduce(0) { $0 + estimator.tokens($1.text) + estimator.tokensPerMessage }
        return ChatPrompt(
            system: system, history: history, userText: text, includedReferences: lines.count,
            truncatedLastReference: truncated, includedTurns: keptTurns, estimatedTokens: estimated)
    }

    typealias Message = ChatPrompt.Message

    func userText(_ question: String, references: [String], language: Language, hasImage: Bool) -> String {
        let body = references.isEmpty ? PromptRules.noReferences(language) : references.joined(separator: "\n")
        return [
            PromptRules.questionLabel(language) + question,
            PromptRules.referencesLabel(language) + "\n" + body,
            PromptRules.closingInstruction(language, hasImage: hasImage),
        ].joined(separator: "\n\n")
    }

    /// An earlier turn as it goes into the prompt. Its `[n]` pointed at that turn's references, not this
    /// one's, so they are taken out; so are the fixed support line and reminder the wording guard added.
    static func historyPair(_ turn: ConversationTurn) -> (question: String, answer: String) {
        let answer = CitationChecker().strippingCitations(WordingGuard.removingFraming(turn.answer))
        return (turn.question, answer.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
