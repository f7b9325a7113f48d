public import Foundation
import GRDB

/// One audited request: who asked what, what came back, how it went. Never the image, only its hash.
public struct AuditRecord: Sendable, Codable, Hashable {
    public var time: Date
    public var route: String
    public var keyID: String?
    public var question: String?
    public var imageSHA256: String?
    /// Where the image was kept (`serve --keep-images`); nil when it was not stored.
    public var imageFile: String?
    public var entryIDs: [String]
    public var decoder: String?
    public var status: Int
    public var latencyMs: Double

    public init(
        time: Date = Date(), route: String, keyID: String?, question: String?, imageSHA256: String?, entryIDs: [String],
        decoder: String?, status: Int, latencyMs: Double, imageFile: String? = nil
    ) {
        self.time = time
        self.route = route
        self.keyID = keyID
        self.question = question
        self.imageSHA256 = imageSHA256
        self.entryIDs = entryIDs
        self.decoder = decoder
        self.status = status
        self.latencyMs = latencyMs
        self.imageFile = imageFile
    }

    enum CodingKeys: String, CodingKey {
        case time, route, question, decoder, status
        case keyID = "key_id"
        case imageSHA256 = "image_sha256"
        case imageFile = "image_file"
        case entryIDs = "entry_ids"
        case latencyMs = "latency_ms"
    }
}

extension AtlasStore {
    public func appendAudit(_ record: AuditRecord) throws {
        let entries = String(decoding: (try? JSONEncoder().encode(record.entryIDs)) ?? Data("[]".utf8), as: UTF8.self)
        try whileDoing("writing the audit log of '\(path)'") {
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO audit_log (time, route, key_id, question, image_sha256, entry_ids, decoder, status, latency_ms, image_file)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        ConversationTimestamp.text(record.time), record.route, record.keyID, record.question, record.imageSHA256,
                        entries, record.decoder, record.status, record.latencyMs, record.imageFile,
                    ])
            }
        }
    }

    /// Audit rows, oldest first, optionally since a time and for one key.
    public func auditRecords(since: Date? = nil, keyID: String? = nil, limit: Int = 10_000) throws -> [AuditRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let since {
            conditions.append("time >= ?")
            arguments += [ConversationTimestamp.text(since)]
        }
        if let keyID {
            conditions.append("key_id = ?")
            arguments += [keyID]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [limit]
        return try whileDoing("reading the audit log of '\(path)'") {
            try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT time, route, key_id, question, image_sha256, entry_ids, decoder, status, latency_ms, image_file
                        FROM audit_log \(filter) ORDER BY seq LIMIT ?
                        """, arguments: arguments
                ).map { row in
                    let entries: String = row["entry_ids"]
                    return AuditRecord(
                        time: ConversationTimestamp.date(row["time"]), route: row["route"], keyID: row["key_id"],
                        question: row["question"], imageSHA256: row["image_sha256"],
                        entryIDs: (try? JSONDecoder().decode([String].self, from: Data(entries.utf8))) ?? [],
                        decoder: row["decoder"], status: row["status"], latencyMs: row["latency_ms"], imageFile: row["image_file"])
                }
            }
        }
    }
}
