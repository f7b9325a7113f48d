// Two-pass nearest-neighbour search: an int8 scan of every row picks candidates, and only those are
// scored exactly in float32. The int8 pass streams a quarter of the bytes of an sgemv, which is what
// bounds a search over a matrix bigger than the caches.

extension Matrix {
    /// The `k` rows most similar to `query` by cosine, best first, found by scanning `quantized` (the int8
    /// copy of these same rows) for the best `candidates` rows and rescoring them exactly. Rows listed in
    /// `skipping` are never returned. Scores are exact float32 cosines; recall against `nearestRows(to:k:)`
    /// depends on `candidates` (see BENCHMARKS.md). Shapes: self `[n, d]`, query `[d]`.
    public func nearestRows(
        to query: [Float], k: Int, rescoring quantized: QuantizedMatrix, candidates: Int,
        threads: Int = 1, skipping: Set<Int> = []
    ) -> [ScoredIndex] {
        precondition(query.count == columns, "nearestRows: query of \(query.count) values against \(columns) columns")
        precondition(quantized.rows == rows && quantized.columns == columns,
                     "nearestRows: int8 copy [\(quantized.rows), \(quantized.columns)] is not of this [\(rows), \(columns)] matrix")
        guard k > 0, rows > 0 else { return [] }
        let unit = query.l2Normalized()
        var approximate = quantized.approximateScores(to: unit, threads: threads)
        for row in skipping { approximate[row] = .nan } // topK never returns NaN
        let shortlist = topK(approximate, k: Swift.max(k, candidates)).map(\.index)
        let exact = dotProducts(ofRows: shortlist, with: unit)
        return topK(exact, k: k).map { ScoredIndex(index: shortlist[$0.index], score: $0.score) }
    }
}
