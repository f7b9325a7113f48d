import AtlasCore
import Foundation
import GRDB
import LinearAlgebra

/// Rows one committed write adds to the in-memory tables, and the entry whose old rows it replaces.
struct VectorChange {
    var entryID: String
    var added: [(key: VectorTableKey, vector: [Float], owner: VectorOwner)] = []
}

/// The in-memory vector tables of one index file: loaded lazily (per encoder and owner kind) on first
/// search, then kept in step with this process's writes, and reloaded when another process wrote.
///
/// Thread safety (why `@unchecked Sendable` is sound): `tables` and `generation` are read and written only
/// inside `lock`. Writers hold the lock across their database transaction and the in-memory update, so the
/// tables and `generation` always describe the same committed state. Searches take a copy of a table under
/// the lock — O(1), `Matrix` and the arrays are copy-on-write — and score outside it, so a long sgemv never
/// blocks a writer; a writer that then changes the table pays one copy and the search keeps its snapshot.
final class VectorIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var tables: [VectorTableKey: VectorTable] = [:]
    /// The `meta.generation` that `tables` reflect; nil before anything is loaded.
    private var generation: Int64?
    private var searchPolicy = VectorSearchPolicy.fromEnvironment()
    /// Encoder records already read (they never change once recorded: see `AtlasStore.encoderRecord`).
    private var encoders: [String: EncoderRecord] = [:]

    func knownEncoder(_ id: String) -> EncoderRecord? { lock.withLock { encoders[id] } }
    func remember(_ record: EncoderRecord) { lock.withLock { encoders[record.id] = record } }

    /// How tables handed out from now on are searched.
    var policy: VectorSearchPolicy {
        get { lock.withLock { searchPolicy } }
        set { lock.withLock { searchPolicy = newValue } }
    }

    /// The table for `key`, loading it from `pool` if it is not in memory or the file changed underneath.
    func table(_ key: VectorTableKey, dimension: Int, pool: DatabasePool) throws -> VectorTable {
        try lock.withLock {
            try pool.read { db in
                // Generation and rows come from one read transaction: one consistent snapshot.
                let current = try Self.generation(db)
                if current != generation {
                    tables.removeAll()
                    generation = current
                }
                if var table = tables[key] {
                    table.policy = searchPolicy // a field of the copy: the matrices are not copied
                    return table
                }
                var table = try VectorTableLoader.load(key, dimension: dimension, db: db)
                tables[key] = table
                table.policy = searchPolicy
                return table
            }
        }
    }

    /// Runs a write transaction (`transaction` returns the generations before and after, and the rows it
    /// added), then brings the loaded tables up to date without re-reading them.
    func write(_ transaction: () throws -> (before: Int64, after: Int64, change: VectorChange)) throws {
        try lock.withLock {
            let (before, after, change) = try transaction()
            guard generation == before else {
                // Another process wrote since we loaded (or nothing is loaded): reload lazily.
                tables.removeAll()
                generation = nil
                return
            }
            for key in tables.keys { tables[key]?.removeEntry(change.entryID) }
            for row in change.added where tables[row.key] != nil {
                tables[row.key]?.append(row.vector, owner: row.owner, entryID: change.entryID)
            }
            generation = after
        }
    }

    static func generation(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?", arguments: [Schema.generationKey]) ?? 0
    }
}
