public import AtlasCore

/// Cut-offs that turn one channel's best score into a support level: score ≥ strong → strong, and so on;
/// below `weak` the channel lends no support.
public struct SupportThresholds: Sendable, Hashable {
    public var strong: Float
    public var moderate: Float
    public var weak: Float

    public init(strong: Float, moderate: Float, weak: Float) {
        self.strong = strong
        self.moderate = moderate
        self.weak = weak
    }

    public func level(_ score: Float) -> Support {
        if score >= strong { return .strong }
        if score >= moderate { return .moderate }
        if score >= weak { return .weak }
        return .none
    }

    /// Cosine cut-offs per encoder: each encoder has its own similarity scale (E5's cosines sit high for any
    /// pair of texts, MiniLM's spread wider), so one global threshold would be wrong for all of them.
    /// Calibrated on the bundled atlas: paraphrased in-scope questions vs off-topic ones (ARCHITECTURE.md).
    public static func forEncoder(_ id: String) -> SupportThresholds {
        switch id {
        case "histo-v1": SupportThresholds(strong: 0.985, moderate: 0.965, weak: 0.94)
        case "all-MiniLM-L6-v2": SupportThresholds(strong: 0.60, moderate: 0.45, weak: 0.32)
        case "multilingual-e5-small": SupportThresholds(strong: 0.88, moderate: 0.84, weak: 0.82)
        default: SupportThresholds(strong: 0.80, moderate: 0.60, weak: 0.40)
        }
    }

    /// Cut-offs for a question's best passage cosine, per encoder and language pair. A Chinese question's
    /// E5 cosine to the English passage it is about sits lower than an English paraphrase's (ARCHITECTURE.md,
    /// calibration), so the same-language cut-offs would call correct cross-lingual matches weak or none.
    public static func forText(_ encoder: String, crossLingual: Bool) -> SupportThresholds {
        switch (encoder, crossLingual) {
        case ("multilingual-e5-small", true): SupportThresholds(strong: 0.86, moderate: 0.80, weak: 0.78)
        default: forEncoder(encoder)
        }
    }

    /// Lexical evidence is the share of the question's content terms found in the best passages.
    public static let lexicalCoverage = SupportThresholds(strong: 0.8, moderate: 0.6, weak: 0.4)
}

/// The evidence one query found, per channel, before it is graded.
public struct SupportEvidence: Sendable, Hashable {
    /// Best cosine of the image channel, and the encoder that produced it.
    public var image: (encoder: String, score: Float)?
    /// Best cosine of the dense text channel.
    public var text: (encoder: String, score: Float)?
    /// Share (0…1) of the question's content terms that occur in the top references; nil without a question.
    public var lexicalCoverage: Float?
    /// The question's language differs from that of the dense channel's best passage (a Chinese question
    /// matched to an English passage): cosines across languages run lower, so other cut-offs apply.
    public var textCrossLingual: Bool
    /// The question names something the atlas never mentions (an organ it has no passage on): the words lend no
    /// support, whatever their cosines.
    public var questionOutsideAtlas: Bool

    public init(
        image: (encoder: String, score: Float)? = nil, text: (encoder: String, score: Float)? = nil,
        lexicalCoverage: Float? = nil, textCrossLingual: Bool = false, questionOutsideAtlas: Bool = false
    ) {
        self.image = image
        self.text = text
        self.lexicalCoverage = lexicalCoverage
        self.textCrossLingual = textCrossLingual
        self.questionOutsideAtlas = questionOutsideAtlas
    }

    /// The dense text channel's level: its best cosine on its encoder's scale for this language pair.
    public var textLevel: Support? {
        text.map { SupportThresholds.forText($0.encoder, crossLingual: textCrossLingual).level($0.score) }
    }

    public static func == (a: SupportEvidence, b: SupportEvidence) -> Bool {
        a.image?.encoder == b.image?.encoder && a.image?.score == b.image?.score && a.text?.encoder == b.text?.encoder
            && a.text?.score == b.text?.score && a.lexicalCoverage == b.lexicalCoverage
            && a.textCrossLingual == b.textCrossLingual && a.questionOutsideAtlas == b.questionOutsideAtlas
    }

    public func hash(into h: inout Hasher) {
        h.combine(image?.score)
        h.combine(text?.score)
        h.combine(lexicalCoverage)
    }
}

/// Grades how well the references support an answer.
///
/// The question's level is the better of its dense-text and lexical levels; the image's level comes from
/// its best cosine. With both, the answer is graded by the stronger of the two — an image that closely
/// matches an atlas image supports "what is this?" even when the words are generic — but a question that
/// neither channel supports at all, asked with an image that is only weakly matched, gets `none`. A question
/// about something the atlas never mentions lends no support, however near its wording is to some passage.
public enum SupportGrader {
    public static func grade(_ evidence: SupportEvidence) -> Support {
        let imageLevel = evidence.image.map { SupportThresholds.forEncoder($0.encoder).level($0.score) }
        let textLevel = evidence.textLevel
        let lexicalLevel = evidence.lexicalCoverage.map { SupportThresholds.lexicalCoverage.level($0) }
        let questionLevel: Support? = evidence.questionOutsideAtlas ? .none : [textLevel, lexicalLevel].compactMap { $0 }.max()
        switch (imageLevel, questionLevel) {
        case (nil, nil): return .none
        case (let i?, nil): return i
        case (nil, let q?): return q
        case (let i?, let q?):
            if q == .none && i <= .weak { return .none }
            return max(i, q)
        }
    }
}

extension FusionWeights {
    /// Each channel's weight scaled by how convincing its own best match is (nil: the channel did not run),
    /// so a channel that found nothing to speak of cannot outvote one that did: "Describe this field" matches
    /// background passages on the word "field", but the image's close match to an entry is what is asked about.
    public func scaled(image: Support?, text: Support?, lexical: Support?) -> FusionWeights {
        func factor(_ level: Support?) -> Float {
            switch level ?? Support.none {
            case .strong: 2
            case .moderate: 1.5
            case .weak: 1
            case .none: 0.25
            }
        }
        // A question without an image whose words the best lexical matches barely cover (weak or none) was
        // matched on incidental words ("cells", "tissue"): reciprocal ranks with k = 60 are flat, so even a
        // down-weighted lexical list would reorder the dense channel's top. The dense channel, the one that
        // reads paraphrases and other languages, decides alone.
        let denseDecides = image == nil && text != nil && (lexical ?? Support.none) <= .weak
        return FusionWeights(
            image: self.image * factor(image), text: self.text * factor(text),
            lexical: denseDecides ? 0 : self.lexical * factor(lexical), k: k
        )
    }
}
