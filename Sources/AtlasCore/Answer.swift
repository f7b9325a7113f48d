/// A `[n]` in an answer, resolved to the reference it points at.
public struct Citation: Sendable, Codable, Hashable {
    public var n: Int
    public var entry: String
    public var passage: String
    public var title: String
    public var source: String

    public init(n: Int, entry: String, passage: String, title: String, source: String) {
        self.n = n
        self.entry = entry
        self.passage = passage
        self.title = title
        self.source = source
    }

    public init(n: Int, reference: Reference) {
        self.init(n: n, entry: reference.entry, passage: reference.passage, title: reference.title, source: reference.source)
    }
}

/// Which decoder wrote the answer, and whether it had to fall back to the extractive one.
public struct DecoderInfo: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable {
        case extractive
        case openai
    }

    public var kind: Kind
    public var model: String?
    public var fallback: Bool
    public var error: String?

    public init(kind: Kind, model: String? = nil, fallback: Bool = false, error: String? = nil) {
        self.kind = kind
        self.model = model
        self.fallback = fallback
        self.error = error
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(model, forKey: .model)
        try c.encode(fallback, forKey: .fallback)
        try c.encode(error, forKey: .error)
    }
}

/// Milliseconds spent per stage; a stage that did not run is absent.
public typealias Timings = [String: Double]

/// The answer JSON of DESIGN.md (`ask --json`, `POST /v1/ask`).
public struct Answer: Sendable, Codable, Hashable {
    public var question: String
    public var answer: String
    public var citations: [Citation]
    public var references: [Reference]
    public var support: Support
    public var decoder: DecoderInfo
    public var conversation: String?
    public var language: Language
    public var timingsMs: Timings
    /// Sentences that make a claim without citing a reference (decoder answers only).
    public var uncitedSentences: [String]?
    /// Citations the decoder invented (numbers with no reference) and that were removed.
    public var removedCitations: Int?

    public init(
        question: String, answer: String, citations: [Citation], references: [Reference], support: Support,
        decoder: DecoderInfo, conversation: String? = nil, language: Language, timingsMs: Timings = [:],
        uncitedSentences: [String]? = nil, removedCitations: Int? = nil
    ) {
        self.question = question
        self.answer = answer
        self.citations = citations
        self.references = references
        self.support = support
        self.decoder = decoder
        self.conversation = conversation
        self.language = language
        self.timingsMs = timingsMs
        self.uncitedSentences = uncitedSentences
        self.removedCitations = removedCitations
    }

    enum CodingKeys: String, CodingKey {
        case question, answer, citations, references, support, decoder, conversation, language
        case timingsMs = "timings_ms"
        case uncitedSentences = "uncited_sentences"
        case removedCitations = "removed_citations"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(question, forKey: .question)
        try c.encode(answer, forKey: .answer)
        try c.encode(citations, forKey: .citations)
        try c.encode(references, forKey: .references)
        try c.encode(support, forKey: .support)
        try c.encode(decoder, forKey: .decoder)
        try c.encode(conversation, forKey: .conversation)
        try c.encode(language, forKey: .language)
        try c.encode(timingsMs, forKey: .timingsMs)
        try c.encodeIfPresent(uncitedSentences, forKey: .uncitedSentences)
        try c.encodeIfPresent(removedCitations, forKey: .removedCitations)
    }
}
