import AtlasCore
public import Foundation
import GRDB

/// What an API key may do. Each role includes the ones before it.
public enum AccessRole: String, Sendable, Codable, Hashable, CaseIterable, Comparable {
    case reader
    case curator
    case admin

    private var order: Int {
        switch self {
        case .reader: 0
        case .curator: 1
        case .admin: 2
        }
    }

    public static func < (a: AccessRole, b: AccessRole) -> Bool { a.order < b.order }
}

/// An API key as stored: never the key itself, only its SHA-256.
public struct AccessKey: Sendable, Codable, Hashable {
    /// Short public id ("k_3f9a…"), shown in lists and the audit log; the secret part is not derivable from it.
    public var id: String
    public var role: AccessRole
    public var label: String?
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, role: AccessRole, label: String?, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.role = role
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, role, label
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}

/// A new key: the secret is returned once and never stored.
public struct IssuedAccessKey: Sendable {
    public var key: AccessKey
    /// `atlasqa_<id>_<secret>` — what the client sends as `Authorization: Bearer …`.
    public var token: String
}

/// API keys in the index file (hashed), so one file holds a deployment's state.
extension AtlasStore {
    /// Creates a key with 256 random bits of secret.
    public func createAccessKey(role: AccessRole, label: String? = nil) throws -> IssuedAccessKey {
        let id = "k" + Self.randomHex(bytes: 6)
        let secret = Self.randomHex(bytes: 32)
        let token = "atlasqa_\(id)_\(secret)"
        let key = AccessKey(id: id, role: role, label: label, createdAt: Date(), revokedAt: nil)
        try whileDoing("creating an API key in '\(path)'") {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO access_keys (id, role, label, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, role.rawValue, label, SHA256.hexDigest(Data(token.utf8)), ConversationTimestamp.text(key.createdAt)])
            }
        }
        return IssuedAccessKey(key: key, token: token)
    }

    /// Every key, revoked ones included, oldest first.
    public func accessKeys() throws -> [AccessKey] {
        try whileDoing("listing API keys in '\(path)'") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, role, label, created_at, revoked_at FROM access_keys ORDER BY created_at, id")
                    .map(Self.accessKey(from:))
            }
        }
    }

    /// Whether any key exists: active only, or revoked ones too (once a deployment has had keys,
    /// revoking the last one must not reopen anonymous access).
    public func hasAccessKeys(includingRevoked: Bool = false) throws -> Bool {
        let sql = includingRevoked
            ? "SELECT EXISTS (SELECT 1 FROM access_keys)"
            : "SELECT EXISTS (SELECT 1 FROM access_keys WHERE revoked_at IS NULL)"
        return try whileDoing("counting API keys in '\(path)'") {
            try pool.read { db in try Bool.fetchOne(db, sql: sql) ?? false }
        }
    }

    /// Revokes a key; throws `.notFound` for an unknown id. Revoking twice keeps the first time.
    public func revokeAccessKey(id: String) throws {
        try whileDoing("revoking API key '\(id)' in '\(path)'") {
            try pool.write { db in
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM access_keys WHERE id = ?", arguments: [id]) != nil else {
                    throw AtlasError(.notFound, "revoking API key '\(id)': no such key")
                }
                try db.execute(
                    sql: "UPDATE access_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    arguments: [ConversationTimestamp.text(Date()), id])
            }
        }
    }

    /// The active key a bearer token belongs to, or nil (unknown, malformed or revoked).
    /// The stored hash is compared in constant time, so timing does not reveal how much of a guess matched.
    public func authenticate(token: String) throws -> AccessKey? {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "atlasqa", !parts[1].isEmpty, parts[1].count <= 32 else { return nil }
        let id = String(parts[1])
        let presented = SHA256.hexDigest(Data(token.utf8))
        return try whileDoing("checking an API key in '\(path)'") {
            try pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT id, role, label, created_at, revoked_at, secret_sha256 FROM access_keys WHERE id = ?",
                        arguments: [id])
                else { return nil }
                let stored: String = row["secret_sha256"]
                guard Self.constantTimeEqual(stored, presented) else { return nil }
                let key = try Self.accessKey(from: row)
                return key.revokedAt == nil ? key : nil
            }
        }
    }

    static func accessKey(from row: Row) throws -> AccessKey {
        let roleText: String = row["role"]
        guard let role = AccessRole(rawValue: roleText) else {
            throw AtlasError(.storage, "API key '\(row["id"] as String)' has an unknown role '\(roleText)'")
        }
        let revoked: String? = row["revoked_at"]
        return AccessKey(
            id: row["id"], role: role, label: row["label"], createdAt: ConversationTimestamp.date(row["created_at"]),
            revokedAt: revoked.map(ConversationTimestamp.date))
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

extension Schema {
    /// API keys (hashed) and the append-only audit log (issue 6). Images are never stored, only their SHA-256.
    static func createAccess(_ db: Database) throws {
        try db.execute(sql: """
            UPDATE meta SET value = '4' WHERE key = '\(versionKey)';

            CREATE TABLE access_keys (
                id            TEXT PRIMARY KEY NOT NULL,
                role          TEXT NOT NULL,             -- reader | curator | admin
                label         TEXT,
                secret_sha256 TEXT NOT NULL,             -- SHA-256 of the whole token; the token itself is never stored
                created_at    TEXT NOT NULL,
                revoked_at    TEXT
            );

            CREATE TABLE audit_log (
                seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                time         TEXT NOT NULL,              -- ISO 8601, UTC
                route        TEXT NOT NULL,
                key_id       TEXT,                       -- null for anonymous loopback use
                question     TEXT,
                image_sha256 TEXT,
                entry_ids    TEXT NOT NULL DEFAULT '[]', -- JSON array of returned entry ids
                decoder      TEXT,
                status       INTEGER NOT NULL,
                latency_ms   REAL NOT NULL
            );
            CREATE INDEX audit_log_by_time ON audit_log(time);
            -- Append-only: rows can be added, never changed or removed.
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """)
    }
}
