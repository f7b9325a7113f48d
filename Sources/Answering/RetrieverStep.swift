public import Retrieval

extension RetrievedReferences {
    public init(_ result: RetrievalResult) {
        self.init(references: result.references, support: result.support, timings: result.timings)
    }
}

extension AskPipeline {
    /// Asks with the atlas `Retriever`: the question, the image, and the latest earlier questions as
    /// context, so a follow-up ("do these cells invade?") is retrieved on the thread's topic.
    public init(retriever: Retriever, k: Int = 6, decoder: any AnswerDecoder) {
        self.init(retrieve: Self.retrieveStep(retriever, k: k), decoder: decoder)
    }

    public init(retriever: Retriever, k: Int = 6, composer: AnswerComposer) {
        self.init(retrieve: Self.retrieveStep(retriever, k: k), composer: composer)
    }

    /// The retrieve closure over a `Retriever`, for callers that wrap it (queues, metrics).
    public static func retrieveStep(_ retriever: Retriever, k: Int, contextTurns: Int = 2) -> Retrieve {
        { request in
            let earlier = request.history.suffix(contextTurns).map(\.question).filter { !$0.isEmpty }
            let query = RetrievalQuery(
                text: request.question, imageData: request.image, imageName: request.imageName, k: k,
                context: earlier.isEmpty ? nil : earlier.joined(separator: "\n"))
            return RetrievedReferences(try retriever.retrieve(query))
        }
    }
}
