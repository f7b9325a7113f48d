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

/// Reads every vector of one encoder and owner kind with one query, copying each BLOB straight into
/// its row of a preallocated matrix.
enum VectorTableLoader {
    static func load(_ key: VectorTableKey, dimension: Int, db: Database) throws -> VectorTable {
        let arguments: StatementArguments = [key.encoder, key.kind.rawValue]
        let count = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM vectors WHERE encoder = ? AND owner_kind = ?", arguments: arguments
        ) ?? 0
        var owners: [VectorOwner] = []
        var entries: [String] = []
        owners.reserveCapacity(count)
        entries.reserveCapacity(count)
        var loaded = 0
        let matrix = try Matrix(rows: count, columns: dimension) { buffer in
            let rows = try Row.fetchCursor(db, sql: sql(for: key.kind), arguments: arguments)
            while let row = try rows.next(), loaded < count {
                let destination = UnsafeMutableBufferPointer(rebasing: buffer[loaded * dimension ..< (loaded + 1) * dimension])
                let copied = try row.withUnsafeData(atIndex: 0) { blob in
                    blob.map { VectorBlob.decode($0, into: destination) } ?? false
                }
                guard copied else {
                    let bytes = try row.withUnsafeData(atIndex: 0) { $0?.count ?? 0 }
                    throw AtlasError(
                        .storage,
                        "loading \(key.kind.rawValue) vectors of encoder '\(key.encoder)': a vector of entry '\(row[1] as String)' has \(bytes) bytes, expected \(dimension) float32 values (\(4 * dimension) bytes) — the index is corrupt or mixes encoders"
                    )
                }
                entries.append(row[1])
                owners.append(owner(of: key.kind, row))
                loaded += 1
            }
        }
        // Vectors whose owner row is gone are skipped by the JOIN; drop the unused rows at the end.
        let trimmed = loaded == count ? matrix : matrix.selecting(rows: Array(0..<loaded))
        return VectorTable(matrix: trimmed, owners: owners, entries: entries)
    }

    /// In owner rowid order, which the (encoder, owner_kind, owner_id) index gives without a sort (ORDER BY
    /// the vectors' rowid made SQLite sort 150 MB of BLOBs in a temp b-tree) and which appends follow too.
    private static func sql(for kind: OwnerKind) -> String {
        switch kind {
        case .passage:
            """
            SELECT v.vector, v.entry_id, p.id FROM vectors v JOIN passages p ON p.rowid = v.owner_id
            WHERE v.encoder = ? AND v.owner_kind = ? ORDER BY v.owner_id
            """
        case .image:
            """
            SELECT v.vector, v.entry_id, i.rowid, i.file FROM vectors v JOIN images i ON i.rowid = v.owner_id
            WHERE v.encoder = ? AND v.owner_kind = ? ORDER BY v.owner_id
            """
        case .tile:
            """
            SELECT v.vector, v.entry_id, t.image_id, t.x, t.y, t.w, t.h FROM vectors v JOIN tiles t ON t.rowid = v.owner_id
            WHERE v.encoder = ? AND v.owner_kind = ? ORDER BY v.owner_id
            """
        }
    }

    private static func owner(of kind: OwnerKind, _ row: Row) -> VectorOwner {
        switch kind {
        case .passage:
            .passage(id: row[2])
        case .image:
            .image(rowID: row[2], file: row[3])
        case .tile:
            .tile(imageRowID: row[2], rect: TileRect(x: row[3], y: row[4], width: row[5], height: row[6]))
        }
    }
}
