public import AtlasCore

/// An answer and what the checks did to it.
public struct ComposedAnswer: Sendable {
    public var answer: Answer
    /// Absolute phrases the wording guard softened, as the decoder wrote them.
    public var softenedPhrases: [String]
}

/// Turns retrieved references into a checked answer: runs the decoder (not at all when support is
/// `none`), falls back to the extractive decoder when it fails, then holds whatever was written to
/// the references (`CitationChecker`) and to suggestive wording (`WordingGuard`).
public struct AnswerComposer: Sendable {
    public let decoder: any AnswerDecoder
    public let fallback: ExtractiveDecoder
    public let citationChecker: CitationChecker
    public let wordingGuard: WordingGuard

    public init(
        decoder: any AnswerDecoder, fallback: ExtractiveDecoder = ExtractiveDecoder(),
        citationChecker: CitationChecker = CitationChecker(), wordingGuard: WordingGuard = WordingGuard()
    ) {
        self.decoder = decoder
        self.fallback = fallback
        self.citationChecker = citationChecker
        self.wordingGuard = wordingGuard
    }

    /// `startedAt` is when the request arrived, so `total` covers retrieval too.
    public func compose(
        _ request: AskRequest, retrieved: RetrievedReferences, startedAt: ContinuousClock.Instant? = nil
    ) async -> ComposedAnswer {
        let clock = ContinuousClock()
        let start = startedAt ?? clock.now
        let language = request.answerLanguage
        var timings = retrieved.timings

        guard retrieved.support != .none else {
            timings["total"] = Self.milliseconds(start.duration(to: clock.now))
            let answer = Answer(
                question: request.question, answer: AnswerFraming.notCovered(language), citations: [],
                references: retrieved.references, support: .none, decoder: DecoderInfo(kind: .extractive),
                conversation: request.conversation, language: language, timingsMs: timings,
                uncitedSentences: [], removedCitations: 0)
            return ComposedAnswer(answer: answer, softenedPhrases: [])
        }

        let decodeRequest = DecodeRequest(
            question: request.question, language: language, references: retrieved.references,
            support: retrieved.support, image: request.image, imageMimeType: request.imageMimeType,
            history: request.history)
        let decodeStart = clock.now
        let decoded = await decodeOrFallBack(decodeRequest)
        timings["decode"] = Self.milliseconds(decodeStart.duration(to: clock.now))

        let worded = wordingGuard.review(decoded.text, language: language, support: retrieved.support)
        let checked = citationChecker.check(worded.text, references: retrieved.references)
        timings["total"] = Self.milliseconds(start.duration(to: clock.now))

        let answer = Answer(
            question: request.question, answer: checked.text, citations: checked.citations,
            references: retrieved.references, support: retrieved.support, decoder: decoded.decoder,
            conversation: request.conversation, language: language, timingsMs: timings,
            uncitedSentences: checked.uncitedSentences, removedCitations: checked.removedCount)
        return ComposedAnswer(answer: answer, softenedPhrases: worded.softened)
    }

    /// The decoder's answer, or the extractive one with the reason when the decoder fails or writes nothing.
    func decodeOrFallBack(_ request: DecodeRequest) async -> DecodedAnswer {
        let reason: String
        do {
            let decoded = try await decoder.decode(request)
            if !decoded.text.trimmingWhitespace.isEmpty { return decoded }
            reason = "decoder returned an empty answer"
        } catch {
            reason = String(describing: error)
        }
        return DecodedAnswer(
            text: fallback.compose(request), decoder: DecoderInfo(kind: .extractive, fallback: true, error: reason))
    }

    static func milliseconds(_ d: Duration) -> Double {
        let (seconds, attoseconds) = d.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
