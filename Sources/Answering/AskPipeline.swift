public import AtlasCore
public import Foundation

/// A question as the CLI and the server receive it.
public struct AskRequest: Sendable {
    public var question: String
    /// The user's image (PNG or JPEG bytes), if any.
    public var image: Data?
    public var imageMimeType: String?
    /// The image's file name, for error messages ("decoding PNG 'field.png': …").
    public var imageName: String
    /// The conversation this question continues, if any; echoed in the answer.
    public var conversation: String?
    /// Earlier turns, oldest first: retrieval may use them for context, decoders put them in the prompt.
    public var history: [ConversationTurn]
    /// Overrides `Language.detect(question)` (e.g. an image-only query from a Chinese user interface).
    public var language: Language?

    public init(
        question: String, image: Data? = nil, imageMimeType: String? = nil, imageName: String = "image",
        conversation: String? = nil, history: [ConversationTurn] = [], language: Language? = nil
    ) {
        self.question = question
        self.image = image
        self.imageMimeType = imageMimeType
        self.imageName = imageName
        self.conversation = conversation
        self.history = history
        self.language = language
    }

    /// The language the answer is framed in.
    public var answerLanguage: Language { language ?? Language.detect(question) }
}

/// What retrieval hands to answering; the `Retriever`'s result maps onto it field for field.
public struct RetrievedReferences: Sendable {
    public var references: [Reference]
    public var support: Support
    /// Retrieval's own stages ("image", "text", "retrieve", …), in milliseconds.
    public var timings: Timings

    public init(references: [Reference], support: Support, timings: Timings = [:]) {
        self.references = references
        self.support = support
        self.timings = timings
    }
}

/// Question in, checked answer out: retrieve, then compose. Retrieval is a closure so this module
/// needs no index, store or encoder to be tested, and the server can wrap it with its own queue.
public struct AskPipeline: Sendable {
    public typealias Retrieve = @Sendable (AskRequest) async throws -> RetrievedReferences

    public let retrieve: Retrieve
    public let composer: AnswerComposer

    public init(retrieve: @escaping Retrieve, composer: AnswerComposer) {
        self.retrieve = retrieve
        self.composer = composer
    }

    public init(retrieve: @escaping Retrieve, decoder: any AnswerDecoder) {
        self.init(retrieve: retrieve, composer: AnswerComposer(decoder: decoder))
    }

    /// Retrieval errors propagate (there is nothing to answer from); decoder errors fall back.
    public func ask(_ request: AskRequest) async throws -> Answer {
        try await askReviewed(request).answer
    }

    /// The answer with what the checks found (softened wording), for logs and the server's audit.
    public func askReviewed(_ request: AskRequest) async throws -> ComposedAnswer {
        let clock = ContinuousClock()
        let start = clock.now
        let retrieved = try await retrieve(request)
        return await composer.compose(request, retrieved: retrieved, startedAt: start)
    }
}
