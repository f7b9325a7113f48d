import AtlasCore
import LinearAlgebra

/// What a stored vector belongs to (the `vectors.owner_kind` column).
enum OwnerKind: String, Sendable, Hashable {
    case passage
    case image
    case tile
}

/// One in-memory matrix per encoder and owner kind.
struct VectorTableKey: Sendable, Hashable {
    var encoder: String
    var kind: OwnerKind
}

/// What one row of a vector table stands for.
enum VectorOwner: Sendable, Hashable {
    case passage(id: String)
    case image(rowID: Int64, file: String)
    case tile(imageRowID: Int64, rect: TileRect)
}

/// All vectors of one encoder and owner kind as ONE contiguous `[rows, dimension]` matrix of unit
/// vectors, so a query is scored against every row with a single sgemv.
///
/// Beside it, the same rows quantised to int8 (`quantized`, kept in step by every append and compaction):
/// big tables are scanned through it first and only its best candidates are rescored in float32
/// (see `VectorSearchPolicy`).
///
/// Replacing an entry tombstones its rows instead of moving the matrix (a write costs O(new rows));
/// tombstoned rows are skipped when ranking and squeezed out once they pile up.
struct VectorTable: Sendable {
    private(set) var matrix: Matrix
    private(set) var quantized: QuantizedMatrix
    /// How `nearest` searches; set by `VectorIndex` on the copy it hands out.
    var policy = VectorSearchPolicy()
    private(set) var owners: [VectorOwner] = []
    private(set) var entryOfRow: [String] = []
    private var rowsByEntry: [String: [Int]] = [:]
    /// Tile rows per image rowid (tile tables only): the candidates for an image hit's best tile.
    private var tileRowsByImage: [Int64: [Int]] = [:]
    private(set) var deadRows: Set<Int> = []

    var dimension: Int { matrix.columns }
    var liveCount: Int { matrix.rows - deadRows.count }

    init(dimension: Int) {
        matrix = Matrix(rows: 0, columns: dimension)
        quantized = QuantizedMatrix(columns: dimension)
    }

    /// Builds a table from rows already in `matrix` (filled by the loader) and their owners; the int8 copy
    /// is made here unless given.
    init(matrix: Matrix, owners: [VectorOwner], entries: [String], quantized: QuantizedMatrix? = nil) {
        precondition(owners.count == matrix.rows && entries.count == matrix.rows)
        precondition(quantized.map { $0.rows == matrix.rows && $0.columns == matrix.columns } ?? true)
        self.matrix = matrix
        self.quantized = quantized ?? QuantizedMatrix(quantizing: matrix, threads: BLASThreads.count)
        self.owners = owners
        self.entryOfRow = entries
        indexAllRows()
    }

    /// Appends a unit-length vector.
    mutating func append(_ vector: [Float], owner: VectorOwner, entryID: String) {
        matrix.append(row: vector)
        quantized.append(row: vector)
        owners.append(owner)
        entryOfRow.append(entryID)
        index(row: owners.count - 1)
    }

    /// Drops every row of an entry (before re-writing it, or when it is removed).
    mutating func removeEntry(_ entryID: String) {
        guard let rows = rowsByEntry.removeValue(forKey: entryID) else { return }
        deadRows.formUnion(rows)
        for row in rows {
            if case .tile(let image, _) = owners[row] { tileRowsByImage[image] = nil }
        }
        // Compact once dead rows would make up an eighth of the work of every search.
        if deadRows.count > max(256, matrix.rows / 8) { compact() }
    }

    /// The `k` live rows nearest to `query` by cosine, best first (ties: earlier row first).
    func nearest(to query: [Float], k: Int) -> [(row: Int, score: Float)] {
        guard k > 0, liveCount > 0 else { return [] }
        if policy.usesInt8(rows: matrix.rows) {
            return matrix.nearestRows(
                to: query, k: k, rescoring: quantized, candidates: policy.candidates,
                threads: policy.scanThreads, skipping: deadRows
            ).map { ($0.index, $0.score) }
        }
        var scores = matrix.multiplied(by: query.l2Normalized())
        for row in deadRows { scores[row] = .nan } // topK never returns NaN
        return topK(scores, k: k).map { ($0.index, $0.score) }
    }

    /// The tile of image `imageRowID` whose vector is nearest to `query`, and its cosine.
    func bestTile(ofImage imageRowID: Int64, query: [Float]) -> (rect: TileRect, score: Float)? {
        guard let rows = tileRowsByImage[imageRowID], !rows.isEmpty else { return nil }
        let scores = matrix.dotProducts(ofRows: rows, with: query.l2Normalized())
        guard let best = topK(scores, k: 1).first,
              case .tile(_, let rect) = owners[rows[best.index]] else { return nil }
        return (rect, best.score)
    }

    private mutating func index(row: Int) {
        rowsByEntry[entryOfRow[row], default: []].append(row)
        if case .tile(let image, _) = owners[row] { tileRowsByImage[image, default: []].append(row) }
    }

    /// `index(row:)` for every row, one dictionary update per run of rows of the same entry (an entry's
    /// rows are adjacent when loaded or appended) instead of one per row.
    private mutating func indexAllRows() {
        var start = 0
        for row in entryOfRow.indices where row + 1 == entryOfRow.count || entryOfRow[row + 1] != entryOfRow[start] {
            rowsByEntry[entryOfRow[start], default: []].append(contentsOf: start...row)
            start = row + 1
        }
        for row in owners.indices {
            if case .tile(let image, _) = owners[row] { tileRowsByImage[image, default: []].append(row) }
        }
    }

    private mutating func compact() {
        let live = (0..<matrix.rows).filter { !deadRows.contains($0) }
        var compacted = VectorTable(
            matrix: matrix.selecting(rows: live),
            owners: live.map { owners[$0] },
            entries: live.map { entryOfRow[$0] },
            quantized: quantized.selecting(rows: live)
        )
        compacted.policy = policy
        self = compacted
    }
}
