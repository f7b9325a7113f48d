public import AtlasCore
public import Foundation

/// Writes an answer from numbered references. The extractive decoder composes it from the passages;
/// the OpenAI-compatible client (issue 5) asks a vision-language model. Whatever a decoder writes is
/// checked afterwards (`CitationChecker`, `WordingGuard`), so a decoder need not be trusted.
public protocol AnswerDecoder: Sendable {
    func decode(_ request: DecodeRequest) async throws -> DecodedAnswer
}

/// One earlier exchange of a conversation, oldest first in `DecodeRequest.history`.
public struct ConversationTurn: Sendable, Codable, Hashable {
    public var question: String
    public var answer: String

    public init(question: String, answer: String) {
        self.question = question
        self.answer = answer
    }
}

/// Everything a decoder may look at. References are cited as `[n]`, n = position in `references` + 1.
public struct DecodeRequest: Sendable {
    public var question: String
    /// The question's language: the answer's framing is written in it.
    public var language: Language
    public var references: [Reference]
    public var support: Support
    /// The user's image as uploaded (PNG or JPEG bytes), for decoders that look at it.
    public var image: Data?
    /// `image/png`, `image/jpeg`; nil when there is no image.
    public var imageMimeType: String?
    /// Earlier turns of the conversation, oldest first.
    public var history: [ConversationTurn]

    public init(
        question: String, language: Language, references: [Reference], support: Support,
        image: Data? = nil, imageMimeType: String? = nil, history: [ConversationTurn] = []
    ) {
        self.question = question
        self.language = language
        self.references = references
        self.support = support
        self.image = image
        self.imageMimeType = imageMimeType
        self.history = history
    }

    /// The references with the numbers the answer cites them by: `[1]` is the first.
    public var numberedReferences: [(n: Int, reference: Reference)] {
        references.enumerated().map { (n: $0.offset + 1, reference: $0.element) }
    }
}

/// A decoder's raw answer, before citations and wording are checked.
public struct DecodedAnswer: Sendable, Hashable {
    /// The answer text, citing references as `[n]`.
    public var text: String
    public var decoder: DecoderInfo

    public init(text: String, decoder: DecoderInfo) {
        self.text = text
        self.decoder = decoder
    }
}
