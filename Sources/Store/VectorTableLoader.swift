import AtlasCore
import GRDB
import GRDBSQLite
import LinearAlgebra

/// Reads every vector of one encoder and owner kind with one query, in one pass: each BLOB is copied
/// straight into its row of a preallocated matrix and quantised into the int8 copy while still in cache.
///
/// Why the raw statement API: through GRDB `Row` accessors each BLOB became a `Data` (an allocation) and a
/// generic byte copy, and each entry id a fresh String; here a row costs one memcpy, one quantisation and
/// (usually) no allocation — rows of one entry are adjacent in owner order, so their entry id is shared.
enum VectorTableLoader {
    static func load(_ key: VectorTableKey, dimension: Int, db: Database) throws -> VectorTable {
        let arguments: StatementArguments = [key.encoder, key.kind.rawValue]
        // Same read transaction as the query below, so the count is of the same rows.
        let capacity = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM vectors WHERE encoder = ? AND owner_kind = ?", arguments: arguments
        ) ?? 0
        let statement = try db.makeStatement(sql: sql(for: key.kind))
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        // The cursor steps the statement; the columns of its current row are read from it directly.
        let columns = ColumnReader(statement: statement.sqliteStatement)
        let width = dimension
        // Room for the rows that later writes append, so the first ones do not copy the whole table into a
        // grown buffer (150 ms at 100k × 384). Untouched, the room costs address space, not memory.
        let reserved = capacity + max(1024, capacity / 8)
        var owners: [VectorOwner] = []
        var entries: [String] = []
        var scales: [Float] = []
        owners.reserveCapacity(reserved)
        entries.reserveCapacity(reserved)
        scales.reserveCapacity(reserved)
        var entry = InternedText()
        var loaded = 0
        var codes: [Int8] = []
        let values = try [Float](unsafeUninitializedCapacity: reserved * width) { values, valuesCount in
            // The rows about to be filled, faulted in by one call rather than 37k page faults (230 -> 195 ms).
            HugePages.prefault(UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(values)[..<(capacity * width * 4)]))
            codes = try [Int8](unsafeUninitializedCapacity: reserved * width) { codeBuffer, codesCount in
                // Huge pages for the int8 copy only: every search scans all of it, while the float rows are read
                // ~100 at a time, and each huge page costs the load a 2 MB allocation (compaction on a busy box).
                HugePages.advise(UnsafeMutableRawBufferPointer(codeBuffer))
                // Vectors whose owner row is gone are skipped by the JOIN: only `loaded` rows get filled.
                defer {
                    valuesCount = loaded * width
                    codesCount = loaded * width
                }
                while loaded < capacity, try cursor.next() != nil {
                    let row = UnsafeMutableBufferPointer(rebasing: values[loaded * width ..< (loaded + 1) * width])
                    guard columns.copyBlob(0, into: row) else {
                        throw AtlasError(
                            .storage,
                            "loading \(key.kind.rawValue) vectors of encoder '\(key.encoder)': a vector of entry '\(columns.text(1))' has \(columns.byteCount(0)) bytes, expected \(width) float32 values (\(4 * width) bytes) — the index is corrupt or mixes encoders"
                        )
                    }
                    let rowCodes = UnsafeMutableBufferPointer(rebasing: codeBuffer[loaded * width ..< (loaded + 1) * width])
                    scales.append(QuantizedMatrix.quantize(row: UnsafeBufferPointer(row), into: rowCodes))
                    entries.append(entry.string(columns.bytes(1)))
                    owners.append(owner(of: key.kind, columns))
                    loaded += 1
                }
            }
        }
        let matrix = Matrix(rows: loaded, columns: width, values: values)
        let quantized = QuantizedMatrix(columns: width, codes: codes, scales: scales)
        return VectorTable(matrix: matrix, owners: owners, entries: entries, quantized: quantized)
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

    private static func owner(of kind: OwnerKind, _ columns: ColumnReader) -> VectorOwner {
        switch kind {
        case .passage:
            .passage(id: columns.text(2))
        case .image:
            .image(rowID: columns.int64(2), file: columns.text(3))
        case .tile:
            .tile(
                imageRowID: columns.int64(2),
                rect: TileRect(x: columns.int(3), y: columns.int(4), width: columns.int(5), height: columns.int(6))
            )
        }
    }
}

/// The columns of a statement's current row, read in place (pointers valid until the next step).
private struct ColumnReader {
    let statement: OpaquePointer

    func byteCount(_ column: Int32) -> Int { Int(sqlite3_column_bytes(statement, column)) }

    /// The UTF-8 bytes of a text column (empty for NULL).
    func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
        // sqlite3_column_text before sqlite3_column_bytes: the documented order for a correct length.
        guard let text = sqlite3_column_text(statement, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: text, count: byteCount(column))
    }

    func text(_ column: Int32) -> String { String(decoding: bytes(column), as: UTF8.self) }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }

    /// Copies a BLOB of exactly `destination.count` floats into `destination`; false (copying nothing) for
    /// any other size.
    func copyBlob(_ column: Int32, into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        let blob = sqlite3_column_blob(statement, column)
        return VectorBlob.decode(UnsafeRawBufferPointer(start: blob, count: blob == nil ? 0 : byteCount(column)), into: destination)
    }
}

/// The last string seen, reused while the same bytes come again (an entry's rows are adjacent).
private struct InternedText {
    private var last = ""
    private var lastBytes: [UInt8] = []

    mutating func string(_ bytes: UnsafeRawBufferPointer) -> String {
        if !bytes.elementsEqual(lastBytes) {
            last = String(decoding: bytes, as: UTF8.self)
            lastBytes = Array(bytes)
        }
        return last
    }
}
