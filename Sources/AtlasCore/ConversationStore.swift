public import Foundation

/// One stored exchange of a conversation: the question, the checked answer, and the references it cited by number.
public struct StoredTurn: Sendable, Codable, Hashable {
    /// 1 for the first turn.
    public var ordinal: Int
    public var question: String
    public var answer: String
    public var references: [Reference]
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case ordinal, question, answer, references
        case createdAt = "created_at"
    }

    public init(ordinal: Int, question: String, answer: String, references: [Reference], createdAt: Date) {
        self.ordinal = ordinal
        self.question = question
        self.answer = answer
        self.references = references
        self.createdAt = createdAt
    }
}

/// A thread of questions about one case, owned by whoever started it.
public struct Conversation: Sendable, Codable, Hashable {
    public var id: String
    public var owner: String
    public var createdAt: Date
    /// Oldest first.
    public var turns: [StoredTurn]

    enum CodingKeys: String, CodingKey {
        case id, owner, turns
        case createdAt = "created_at"
    }

    public init(id: String, owner: String, createdAt: Date, turns: [StoredTurn]) {
        self.id = id
        self.owner = owner
        self.createdAt = createdAt
        self.turns = turns
    }
}

/// Keeps conversations so a follow-up question can be asked with the earlier turns as context.
/// A conversation belongs to its owner: for anyone else it does not exist (no "forbidden" that would
/// confirm the id is real). The CLI uses one local owner; the server uses the authenticated user.
public protocol ConversationStore: Sendable {
    /// Starts an empty conversation and returns it (with a fresh, unguessable id).
    func startConversation(owner: String) throws -> Conversation
    /// The conversation with its turns, or nil when there is none with this id for this owner.
    func conversation(id: String, owner: String) throws -> Conversation?
    /// Appends a turn; throws `AtlasError(.notFound, …)` when the conversation is not this owner's.
    @discardableResult
    func appendTurn(
        conversation id: String, owner: String, question: String, answer: String, references: [Reference]
    ) throws -> StoredTurn
}
