public import AtlasCore
import Foundation
import GRDB

/// Conversations live in the index file beside the atlas, so one file holds a deployment's state.
/// A conversation is found only together with its owner: another owner's id reads as "not found".
extension AtlasStore: ConversationStore {
    public func startConversation(owner: String) throws -> Conversation {
        let conversation = Conversation(id: UUID().uuidString.lowercased(), owner: owner, createdAt: Date(), turns: [])
        try whileDoing("starting a conversation in '\(path)'") {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO conversations (id, owner, created_at) VALUES (?, ?, ?)",
                    arguments: [conversation.id, owner, ConversationTimestamp.text(conversation.createdAt)])
            }
        }
        return conversation
    }

    public func conversation(id: String, owner: String) throws -> Conversation? {
        try whileDoing("reading conversation '\(id)' from '\(path)'") {
            try pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT created_at FROM conversations WHERE id = ? AND owner = ?", arguments: [id, owner])
                else { return nil }
                let turns = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT ordinal, question, answer, references_json, created_at FROM conversation_turns
                        WHERE conversation_id = ? ORDER BY ordinal
                        """, arguments: [id]
                ).map { try Self.turn(from: $0, conversation: id) }
                return Conversation(
                    id: id, owner: owner, createdAt: ConversationTimestamp.date(row["created_at"]), turns: turns)
            }
        }
    }

    @discardableResult
    public func appendTurn(
        conversation id: String, owner: String, question: String, answer: String, references: [Reference]
    ) throws -> StoredTurn {
        let json = try whileDoing("encoding the references of a turn of conversation '\(id)'") {
            String(decoding: try JSONEncoder().encode(references), as: UTF8.self)
        }
        let now = Date()
        return try whileDoing("adding a turn to conversation '\(id)' in '\(path)'") {
            try pool.write { db in
                guard
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM conversations WHERE id = ? AND owner = ?", arguments: [id, owner]) != nil
                else { throw AtlasError(.notFound, "conversation '\(id)' not found") }
                let ordinal = (try Int.fetchOne(
                    db, sql: "SELECT max(ordinal) FROM conversation_turns WHERE conversation_id = ?", arguments: [id]) ?? 0) + 1
                try db.execute(
                    sql: """
                        INSERT INTO conversation_turns (conversation_id, ordinal, question, answer, references_json, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id, ordinal, question, answer, json, ConversationTimestamp.text(now)])
                return StoredTurn(ordinal: ordinal, question: question, answer: answer, references: references, createdAt: now)
            }
        }
    }

    static func turn(from row: Row, conversation id: String) throws -> StoredTurn {
        let json: String = row["references_json"]
        let references: [Reference]
        do {
            references = try JSONDecoder().decode([Reference].self, from: Data(json.utf8))
        } catch {
            throw AtlasError(.storage, "turn \(row["ordinal"] as Int) of conversation '\(id)' has unreadable references: \(error)")
        }
        return StoredTurn(
            ordinal: row["ordinal"], question: row["question"], answer: row["answer"], references: references,
            createdAt: ConversationTimestamp.date(row["created_at"]))
    }
}

extension Schema {
    /// Conversations and their turns (issue 5). A turn keeps the references its answer cited by number,
    /// so `[n]` in a stored answer can still be resolved later.
    static func createConversations(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE conversations (
                id         TEXT PRIMARY KEY NOT NULL,
                owner      TEXT NOT NULL,
                created_at TEXT NOT NULL                 -- ISO 8601, UTC
            );
            CREATE INDEX conversations_by_owner ON conversations(owner);

            CREATE TABLE conversation_turns (
                conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                ordinal         INTEGER NOT NULL,        -- 1 for the first turn
                question        TEXT NOT NULL,
                answer          TEXT NOT NULL,
                references_json TEXT NOT NULL,           -- JSON array of references, [n] = element n-1
                created_at      TEXT NOT NULL,
                PRIMARY KEY (conversation_id, ordinal)
            );
            """)
    }
}

/// ISO 8601 with milliseconds, UTC: sorts as text and reads back to the same millisecond.
enum ConversationTimestamp {
    static func text(_ date: Date) -> String {
        formatter().string(from: date)
    }

    static func date(_ text: String) -> Date {
        formatter().date(from: text) ?? ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
    }

    /// A new formatter each time: ISO8601DateFormatter is not Sendable, and these calls are rare.
    static func formatter() -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}
