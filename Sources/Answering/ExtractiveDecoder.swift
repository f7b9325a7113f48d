import AtlasCore

/// Answers from the references alone, with no model: what the image most resembles (from the image
/// channel's scores), then the passage sentences that best answer the question, each cited, then the
/// support level and the closing reminder. The default decoder, and the fallback of every other.
public struct ExtractiveDecoder: AnswerDecoder {
    public var selector: SentenceSelector
    /// How many entries besides the top one the resemblance line names.
    public var alsoSimilarCount: Int
    /// An entry is named "also similar" only if its image score is at least this fraction of the top one's.
    public var alsoSimilarMinimumRatio: Float

    public init(selector: SentenceSelector = SentenceSelector(), alsoSimilarCount: Int = 2, alsoSimilarMinimumRatio: Float = 0.75) {
        self.selector = selector
        self.alsoSimilarCount = alsoSimilarCount
        self.alsoSimilarMinimumRatio = alsoSimilarMinimumRatio
    }

    public func decode(_ request: DecodeRequest) async throws -> DecodedAnswer {
        DecodedAnswer(text: compose(request), decoder: DecoderInfo(kind: .extractive))
    }

    /// The answer text; synchronous, so the composer can fall back to it without awaiting anything.
    public func compose(_ request: DecodeRequest) -> String {
        let language = request.language
        guard request.support != .none, !request.references.isEmpty else { return AnswerFraming.notCovered(language) }

        let resemblance = request.image == nil ? nil : resemblanceLine(request.references, language: language)
        let picks = selector.select(question: request.question, language: language, references: request.references)
        guard resemblance != nil || !picks.isEmpty else { return AnswerFraming.notCovered(language) }

        var lines: [String] = []
        if let resemblance { lines.append(resemblance) }
        if !picks.isEmpty {
            let checker = CitationChecker()
            lines.append(Self.join(picks.map { Self.cite(checker.strippingCitations($0.sentence), n: $0.n) }))
        }
        lines.append(AnswerFraming.supportLine(request.support, language: language))
        lines.append(AnswerFraming.closingReminder(language))
        return lines.joined(separator: "\n")
    }

    /// Names the entries whose images scored best against the query image, one line, best first.
    func resemblanceLine(_ references: [Reference], language: Language) -> String? {
        let ranked = ImageResemblance.ranked(references)
        guard let top = ranked.first else { return nil }
        return AnswerFraming.imageResemblance(
            top: (top.title, top.n),
            alsoSimilar: ranked.dropFirst().filter { top.score > 0 && $0.score >= top.score * alsoSimilarMinimumRatio }
                .prefix(alsoSimilarCount).map { ($0.title, $0.n) },
            language: language)
    }

    /// Sentences run on with a space after an English one, directly after a Chinese one ("。").
    static func join(_ sentences: [String]) -> String {
        var text = ""
        for sentence in sentences {
            if let last = text.last, !last.isCJK { text += " " }
            text += sentence
        }
        return text
    }

    /// "Sentence [n]." — the citation goes before the end mark; a Chinese sentence ends in "。".
    static func cite(_ sentence: String, n: Int) -> String {
        var body = Substring(sentence)
        var mark = ""
        while let last = body.last, ".!?。！？；;:：".contains(last) {
            if mark.isEmpty { mark = String(last) }
            body = body.dropLast()
        }
        let trimmed = body.trimmingWhitespace
        if Language.detect(trimmed) == .zh || trimmed.last?.isCJK == true {
            let end = ["！", "？", "!", "?"].contains(mark) ? mark : "。"
            return "\(trimmed)[\(n)]\(end)"
        }
        let end = ["!", "?"].contains(mark) ? mark : "."
        return "\(trimmed) [\(n)]\(end)"
    }
}
