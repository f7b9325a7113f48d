public import AtlasCore

/// Asks within a conversation: loads the owner's earlier turns, asks with them (retrieval context and
/// prompt history), and stores the new turn. A question without a conversation starts one, so every
/// answer carries an id the next question can continue.
public struct ConversationPipeline: Sendable {
    public let pipeline: AskPipeline
    public let store: any ConversationStore

    public init(pipeline: AskPipeline, store: any ConversationStore) {
        self.pipeline = pipeline
        self.store = store
    }

    /// Throws `AtlasError(.notFound, …)` when `request.conversation` names no conversation of `owner`'s.
    public func ask(_ request: AskRequest, owner: String) async throws -> Answer {
        try await askReviewed(request, owner: owner).answer
    }

    public func askReviewed(_ request: AskRequest, owner: String) async throws -> ComposedAnswer {
        let conversation: Conversation
        if let id = request.conversation {
            guard let found = try store.conversation(id: id, owner: owner) else {
                throw AtlasError(.notFound, "conversation '\(id)' not found")
            }
            conversation = found
        } else {
            conversation = try store.startConversation(owner: owner)
        }
        var asked = request
        asked.conversation = conversation.id
        asked.history = conversation.turns.map { ConversationTurn(question: $0.question, answer: $0.answer) }
        let composed = try await pipeline.askReviewed(asked)
        try store.appendTurn(
            conversation: conversation.id, owner: owner, question: request.question,
            answer: composed.answer.answer, references: composed.answer.references)
        return composed
    }
}
