import LinearAlgebra
import Testing

/// Deterministic pseudo-random numbers (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomMatrix(_ rows: Int, _ columns: Int, _ rng: inout SeededGenerator) -> Matrix {
    Matrix(rows: rows, columns: columns, values: (0..<rows * columns).map { _ in Float.random(in: -1...1, using: &rng) })
}

/// The textbook triple loop, in Double.
func naiveProduct(_ a: Matrix, _ b: Matrix, transposingB: Bool) -> [[Double]] {
    let n = transposingB ? b.rows : b.columns
    return (0..<a.rows).map { i in
        (0..<n).map { j in
            (0..<a.columns).reduce(0.0) { sum, p in
                sum + Double(a[i, p]) * Double(transposingB ? b[j, p] : b[p, j])
            }
        }
    }
}

@Suite("Matrix products")
struct MatrixTests {
    @Test("sgemm equals the triple loop, plain and with the second matrix transposed",
          arguments: [(1, 1, 1), (3, 5, 4), (17, 33, 9), (64, 48, 70)])
    func gemm(m: Int, k: Int, n: Int) {
        var rng = SeededGenerator(seed: UInt64(m * 1000 + k * 10 + n))
        let a = randomMatrix(m, k, &rng)
        let b = randomMatrix(k, n, &rng)
        let bt = randomMatrix(n, k, &rng)
        for (product, reference) in [
            (a.multiplied(by: b), naiveProduct(a, b, transposingB: false)),
            (a.multiplied(by: bt, transposingOther: true), naiveProduct(a, bt, transposingB: true)),
        ] {
            #expect(product.rows == m && product.columns == n)
            for i in 0..<m {
                for j in 0..<n { #expect(abs(Double(product[i, j]) - reference[i][j]) < 1e-4) }
            }
        }
    }

    /// Shapes cover every path of the kernel: row counts off the 4- and 8-row blocks, dimensions off the
    /// 8- and 16-lane blocks, and a matrix past the 24 MB where it switches to 8 rows at a time.
    @Test("matrix · vector equals per-row dot products in Double",
          arguments: [(13, 21), (8, 16), (9, 384), (1, 7), (12_289, 520)])
    func matrixVector(rows: Int, columns: Int) {
        var rng = SeededGenerator(seed: UInt64(rows * 7 + columns))
        let a = randomMatrix(rows, columns, &rng)
        let x = (0..<columns).map { _ in Float.random(in: -1...1, using: &rng) }
        let y = a.multiplied(by: x)
        #expect(y.count == rows)
        var worst = 0.0
        for r in 0..<rows {
            let reference = zip(a.row(r), x).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            worst = max(worst, abs(Double(y[r]) - reference))
        }
        #expect(worst < 1e-4 * Double(max(1, columns / 16)), "worst error \(worst)")
    }

    @Test("chosen rows' dot products agree with the full product, and empty shapes give zeros")
    func gemv() {
        var rng = SeededGenerator(seed: 7)
        let a = randomMatrix(13, 21, &rng)
        let x = (0..<21).map { _ in Float.random(in: -1...1, using: &rng) }
        let y = a.multiplied(by: x)
        let chosen = a.dotProducts(ofRows: [12, 0, 5], with: x)
        #expect(zip(chosen, [y[12], y[0], y[5]]).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(Matrix(rows: 0, columns: 4).multiplied(by: [1, 2, 3, 4]).isEmpty)
        #expect(Matrix(rows: 2, columns: 0).multiplied(by: []) == [0, 0])
        #expect(Matrix(rows: 2, columns: 0).multiplied(by: Matrix(rows: 0, columns: 3)) == Matrix(rows: 2, columns: 3))
    }

    @Test("rows append, select and normalise; stacking keeps row order")
    func rows() {
        var m = Matrix(stacking: [[3, 4], [0, 0]], columns: 2)
        m.append(row: [0, -2])
        m.append(rowsOf: Matrix(stacking: [[1, 1]], columns: 2))
        #expect(m.rows == 4)
        #expect(m.selecting(rows: [3, 0]).values == [1, 1, 3, 4])
        m.normalizeRows()
        #expect(m.row(0) == [0.6, 0.8])
        #expect(m.row(1) == [0, 0]) // a zero row has no direction and stays zero
        #expect(m.row(2) == [0, -1])
        #expect(abs(m[3, 0] - 0.70710677) < 1e-6)
        let filled = Matrix(rows: 2, columns: 3) { buffer in
            for i in buffer.indices { buffer[i] = Float(i) }
        }
        #expect(filled.values == [0, 1, 2, 3, 4, 5])
    }
}

@Suite("Vector math")
struct VectorMathTests {
    @Test("dot, norm, normalisation and cosine")
    func basics() {
        let a: [Float] = [1, 2, 2]
        let b: [Float] = [2, 0, -1]
        #expect(a.dot(b) == 0)
        #expect(a.l2Norm == 3)
        let third: Float = 1.0 / 3
        #expect(a.l2Normalized() == [third, 2 * third, 2 * third])
        #expect(abs(a.l2Normalized().l2Norm - 1) < 1e-6)
        #expect([Float](repeating: 0, count: 4).l2Normalized() == [0, 0, 0, 0])
        #expect(a.cosineSimilarity(to: b) == 0)
        #expect(abs(a.cosineSimilarity(to: a.map { $0 * 7 }) - 1) < 1e-6)
        #expect(abs(a.cosineSimilarity(to: a.map { -$0 }) + 1) < 1e-6)
        #expect(a.cosineSimilarity(to: [0, 0, 0]) == 0)
        #expect([Float]().dot([]) == 0)
    }
}

@Suite("Top-k")
struct TopKTests {
    /// Sorting everything: the reference.
    func fullSort(_ scores: [Float], k: Int) -> [ScoredIndex] {
        scores.enumerated().filter { !$0.element.isNaN }.map { ScoredIndex(index: $0.offset, score: $0.element) }
            .sorted { $0.ranksBefore($1) }.prefix(k).map { $0 }
    }

    @Test("equals a full sort, ties broken by lower index", arguments: [0, 1, 5, 37, 100, 250])
    func againstSort(k: Int) {
        var rng = SeededGenerator(seed: UInt64(k + 1))
        // Few distinct values, so ties are everywhere.
        let scores = (0..<200).map { _ in Float(Int.random(in: 0..<12, using: &rng)) / 4 }
        #expect(topK(scores, k: k) == fullSort(scores, k: k))
        let continuous = (0..<200).map { _ in Float.random(in: -1...1, using: &rng) }
        #expect(topK(continuous, k: k) == fullSort(continuous, k: k))
    }

    @Test("NaN scores are never returned; empty input gives nothing")
    func edges() {
        #expect(topK([.nan, 1, .nan, 2], k: 3).map(\.index) == [3, 1])
        #expect(topK([], k: 3).isEmpty)
        #expect(topK([1, 1, 1], k: 2).map(\.index) == [0, 1])
        #expect(topK([-.infinity, 0, .infinity], k: 3).map(\.index) == [2, 1, 0])
    }
}

@Suite("Nearest rows by cosine")
struct NearestRowsTests {
    @Test("single and batched queries equal brute-force cosine over unit rows")
    func againstBruteForce() {
        var rng = SeededGenerator(seed: 99)
        var base = randomMatrix(500, 24, &rng)
        base.normalizeRows()
        let queries = randomMatrix(9, 24, &rng)
        let batched = base.nearestRows(to: queries, k: 10)
        for q in 0..<queries.rows {
            let query = queries.row(q)
            let reference = (0..<base.rows).map { r in
                ScoredIndex(index: r, score: base.row(r).cosineSimilarity(to: query))
            }.sorted { $0.ranksBefore($1) }.prefix(10)
            let single = base.nearestRows(to: query, k: 10)
            #expect(single.map(\.index) == reference.map(\.index))
            #expect(batched[q].map(\.index) == reference.map(\.index))
            for (hit, expected) in zip(single, reference) { #expect(abs(hit.score - expected.score) < 1e-5) }
        }
        #expect(base.nearestRows(to: queries.row(0), k: 0).isEmpty)
        #expect(Matrix(rows: 0, columns: 24).nearestRows(to: queries, k: 3) == Array(repeating: [], count: 9))
    }
}
