import CBLAS

// Exact nearest-neighbour search by cosine over the rows of a matrix of unit vectors.
// Exact on purpose: atlases hold thousands to a few hundred thousand vectors, where one sgemv/sgemm
// over a contiguous matrix takes milliseconds, and an approximate index would add recall errors.

extension Matrix {
    /// The `k` rows most similar to `query` by cosine, best first (ties: lower row first).
    /// Rows must already be unit length (the index stores them normalised); the query is normalised here.
    /// Shapes: self `[n, d]`, query `[d]`.
    public func nearestRows(to query: [Float], k: Int) -> [ScoredIndex] {
        precondition(query.count == columns, "nearestRows: query of \(query.count) values against \(columns) columns")
        guard k > 0, rows > 0 else { return [] }
        let scores = multiplied(by: query.l2Normalized())
        return topK(scores, k: k)
    }

    /// For each row of `queries`, the `k` rows of `self` most similar by cosine, with one `sgemm`.
    /// Shapes: self `[n, d]`, queries `[q, d]` → q lists.
    public func nearestRows(to queries: Matrix, k: Int) -> [[ScoredIndex]] {
        precondition(queries.columns == columns, "nearestRows: queries of \(queries.columns) columns against \(columns)")
        guard k > 0, rows > 0 else { return Array(repeating: [], count: queries.rows) }
        var normalized = queries
        normalized.normalizeRows()
        let scores = normalized.multiplied(by: self, transposingOther: true) // [q, n]
        return scores.withUnsafeBufferPointer { all in
            (0..<queries.rows).map { q in
                topK(UnsafeBufferPointer(rebasing: all[q * rows ..< (q + 1) * rows]), k: k)
            }
        }
    }
}

extension Matrix {
    /// Dot products of a few chosen rows with `vector` (e.g. one image's tiles inside a big tile matrix),
    /// without copying the rows out. Shapes: self `[n, d]`, vector `[d]` → `[indices.count]`.
    public func dotProducts(ofRows indices: [Int], with vector: [Float]) -> [Float] {
        precondition(vector.count == columns, "dotProducts: vector of \(vector.count) values against \(columns) columns")
        guard columns > 0 else { return [Float](repeating: 0, count: indices.count) }
        return withUnsafeBufferPointer { all in
            vector.withUnsafeBufferPointer { v in
                indices.map { r in
                    precondition(r >= 0 && r < rows, "dotProducts: row \(r) out of 0..<\(rows)")
                    return cblas_sdot(blasint(columns), all.baseAddress! + r * columns, 1, v.baseAddress, 1)
                }
            }
        }
    }
}
