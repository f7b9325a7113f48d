public import AtlasCore
import Foundation
import GRDB

/// How much an index holds.
public struct AtlasCounts: Sendable, Hashable, Codable {
    public var entries: Int
    public var passages: Int
    public var images: Int
    public var tiles: Int
    public var vectors: Int

    public init(entries: Int, passages: Int, images: Int, tiles: Int, vectors: Int) {
        self.entries = entries
        self.passages = passages
        self.images = images
        self.tiles = tiles
        self.vectors = vectors
    }
}

/// The atlas index: one SQLite file (WAL) holding entries, passages, image bytes, tiles, vectors and
/// two FTS5 indexes, plus an in-memory matrix per encoder for exact vector search.
/// The only type in the project that talks to SQLite.
public final class AtlasStore: AtlasReader, AtlasWriter {
    /// The index file.
    public let path: String
    let pool: DatabasePool
    let vectors = VectorIndex()

    /// Opens (creating and migrating when writable) the index at `path`. Throws `AtlasError(.storage)`
    /// naming the file when it is not an SQLite database, is corrupt, or is some other program's database.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        if readOnly, !FileManager.default.fileExists(atPath: path) {
            throw AtlasError(.notFound, "opening atlas index '\(path)': no such file (build it with `atlasqa ingest`)")
        }
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.foreignKeysEnabled = true
        configuration.label = "AtlasQA index"
        // Another process (an ingest next to a server) may hold the write lock for a moment.
        configuration.busyMode = .timeout(10)
        // In WAL mode NORMAL keeps the file consistent through crashes; only the last commits before a power
        // cut may be lost (a re-ingest redoes them). FULL would fsync every entry's transaction.
        // Memory-mapped reads halve the time to load vector BLOBs (no pread + copy per page).
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 1073741824")
        }
        let opening = "opening atlas index '\(path)' (is it an AtlasQA index? it may be corrupt)"
        try whileDoing(opening) {
            // Look before opening the pool: switching to WAL would already change another program's file.
            var peek = Configuration()
            peek.readonly = true
            let exists = FileManager.default.fileExists(atPath: path)
            if exists { try Self.checkIdentity(DatabaseQueue(path: path, configuration: peek), path: path, readOnly: readOnly) }
        }
        pool = try whileDoing(opening) { try DatabasePool(path: path, configuration: configuration) }
        try whileDoing(opening) {
            if !readOnly { try Schema.migrator.migrate(pool) }
        }
    }

    /// Refuses files that are some other program's database, or written by a newer AtlasQA.
    private static func checkIdentity(_ queue: DatabaseQueue, path: String, readOnly: Bool) throws {
        try queue.read { db in
            let tableCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
            guard try db.tableExists("meta") else {
                if tableCount > 0 {
                    throw AtlasError(.storage, "opening atlas index '\(path)': this SQLite file is not an AtlasQA index (it has no `meta` table)")
                }
                if readOnly {
                    throw AtlasError(.storage, "opening atlas index '\(path)': the file is empty, not an AtlasQA index (build it with `atlasqa ingest`)")
                }
                return
            }
            let format = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Schema.formatKey])
            guard format == Schema.formatValue else {
                throw AtlasError(.storage, "opening atlas index '\(path)': this SQLite file is not an AtlasQA index (meta.format is \(format.map { "'\($0)'" } ?? "missing"))")
            }
            if try Schema.migrator.hasBeenSuperseded(db) {
                throw AtlasError(.storage, "opening atlas index '\(path)': it was written by a newer AtlasQA (unknown schema migrations); upgrade atlasqa")
            }
            if readOnly, try !Schema.migrator.hasCompletedMigrations(db) {
                throw AtlasError(.storage, "opening atlas index '\(path)' read-only: its schema is older than this AtlasQA; open it once for writing (e.g. `atlasqa ingest`) to upgrade it")
            }
        }
    }

    // MARK: - Whole-index facts

    public func counts() throws -> AtlasCounts {
        try whileDoing("counting the contents of '\(path)'") {
            try pool.read { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT (SELECT count(*) FROM entries), (SELECT count(*) FROM passages),
                           (SELECT count(*) FROM images), (SELECT count(*) FROM tiles), (SELECT count(*) FROM vectors)
                    """)!
                return AtlasCounts(entries: row[0], passages: row[1], images: row[2], tiles: row[3], vectors: row[4])
            }
        }
    }

    /// Every entry id, sorted.
    public func entryIDs() throws -> [String] {
        try whileDoing("listing entries of '\(path)'") {
            try pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM entries ORDER BY id") }
        }
    }

    public func encoders() throws -> [EncoderRecord] {
        try whileDoing("reading the encoder records of '\(path)'") {
            try pool.read { db in try Self.encoderRecords(db) }
        }
    }

    static func encoderRecords(_ db: Database) throws -> [EncoderRecord] {
        let values = try String.fetchAll(
            db, sql: "SELECT value FROM meta WHERE key LIKE ? ESCAPE '\\' ORDER BY key", arguments: [Schema.encoderKeyPrefix + "%"]
        )
        return try values.map { try JSONDecoder().decode(EncoderRecord.self, from: Data($0.utf8)) }
    }

    public func register(encoders records: [EncoderRecord]) throws {
        try whileDoing("recording encoders in '\(path)'") {
            try pool.write { db in
                let known = Dictionary(try Self.encoderRecords(db).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                for record in records {
                    if let old = known[record.id] {
                        guard old == record else {
                            throw AtlasError(
                                .encoder,
                                "index '\(path)' was built with encoder '\(old.id)' (\(old.modality.rawValue), \(old.dimension)-d, weights \(old.weightsHash.prefix(12))); refusing '\(record.id)' (\(record.modality.rawValue), \(record.dimension)-d, weights \(record.weightsHash.prefix(12))): vectors from different weights must not mix — ingest into a new index file"
                            )
                        }
                        continue
                    }
                    guard record.dimension > 0 else {
                        throw AtlasError(.encoder, "recording encoder '\(record.id)' in '\(path)': dimension \(record.dimension) is not positive")
                    }
                    let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [Schema.encoderKeyPrefix + record.id, json])
                }
            }
        }
    }

    /// Loads every registered encoder's vectors into memory now rather than on the first search
    /// (a server does this before answering `/health` with 200).
    public func loadVectorIndex() throws {
        for record in try encoders() {
            let kinds: [OwnerKind] = record.modality == .text ? [.passage] : [.image, .tile]
            for kind in kinds {
                _ = try whileDoing("loading \(kind.rawValue) vectors of '\(record.id)' from '\(path)'") {
                    try vectors.table(VectorTableKey(encoder: record.id, kind: kind), dimension: record.dimension, pool: pool)
                }
            }
        }
    }
}
