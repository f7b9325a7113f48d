import LinearAlgebra
import Testing

/// Unit rows, uniformly random directions.
func unitRows(_ rows: Int, _ columns: Int, _ rng: inout SeededGenerator) -> Matrix {
    var matrix = randomMatrix(rows, columns, &rng)
    matrix.normalizeRows()
    return matrix
}

/// The true top-k by cosine in Double, best first (ties: lower index first).
func bruteForceTopK(_ matrix: Matrix, _ query: [Float], k: Int) -> [(index: Int, score: Double)] {
    let qn = query.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    let scored = (0..<matrix.rows).map { r in
        (index: r, score: (0..<matrix.columns).reduce(0.0) { $0 + Double(matrix[r, $1]) * Double(query[$1]) } / qn)
    }
    return Array(scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }.prefix(k))
}

@Suite("Int8 quantised search")
struct QuantizedSearchTests {
    @Test("every int8 kernel this CPU runs gives exactly the integer dot products, at widths off the SIMD lanes",
          arguments: [1, 7, 31, 32, 63, 64, 65, 100, 384, 512])
    func kernelsAgreeWithIntegerReference(columns: Int) {
        var rng = SeededGenerator(seed: UInt64(columns))
        let matrix = randomMatrix(13, columns, &rng) // 13 rows: the VNNI kernel's 4-row blocks and a remainder
        let query = (0..<columns).map { _ in Float.random(in: -1...1, using: &rng) }
        let quantized = QuantizedMatrix(quantizing: matrix)
        let queryCodes = QuantizedMatrix(quantizing: Matrix(rows: 1, columns: columns, values: query)).codes
        let reference = (0..<13).map { r in
            Float((0..<columns).reduce(0) { $0 + Int(quantized.codes[r * columns + $1]) * Int(queryCodes[$1]) }) * quantized.scales[r]
        }
        let kernels = Int8Kernel.allCases.filter { $0.rawValue <= Int8Kernel.best.rawValue }
        for kernel in kernels {
            #expect(quantized.approximateScores(to: query, kernel: kernel) == reference, "kernel \(kernel)")
        }
    }

    @Test("codes stand for the row within half a quantisation step; a zero row stays zero")
    func quantisationError() {
        var rng = SeededGenerator(seed: 3)
        var matrix = unitRows(20, 384, &rng)
        matrix.append(row: [Float](repeating: 0, count: 384))
        let quantized = QuantizedMatrix(quantizing: matrix)
        for r in 0..<matrix.rows {
            let maxAbs = matrix.row(r).map(abs).max()!
            let step = maxAbs / 127
            for (a, b) in zip(matrix.row(r), quantized.dequantizedRow(r)) {
                #expect(abs(a - b) <= step / 2 + 1e-7)
            }
        }
        #expect(quantized.dequantizedRow(20).allSatisfy { $0 == 0 })
        #expect(quantized.codes.allSatisfy { $0 >= -127 })
    }

    @Test("a scan split over threads gives the single-threaded scores")
    func threadedScanMatches() {
        var rng = SeededGenerator(seed: 4)
        let matrix = unitRows(5003, 96, &rng)
        let quantized = QuantizedMatrix(quantizing: matrix)
        let query = matrix.row(17)
        #expect(quantized.approximateScores(to: query, threads: 2) == quantized.approximateScores(to: query, threads: 1))
    }

    @Test("appending rows one by one gives the codes of quantising the whole matrix")
    func appendMatchesBulk() {
        var rng = SeededGenerator(seed: 5)
        let matrix = unitRows(50, 40, &rng)
        var appended = QuantizedMatrix(columns: 40)
        for r in 0..<50 { appended.append(row: matrix.row(r)) }
        let bulk = QuantizedMatrix(quantizing: matrix)
        #expect(appended.codes == bulk.codes && appended.scales == bulk.scales)
        let picked = bulk.selecting(rows: [3, 1, 49])
        #expect(picked.rows == 3 && picked.dequantizedRow(0) == bulk.dequantizedRow(3) && picked.dequantizedRow(2) == bulk.dequantizedRow(49))
    }

    @Test("big int8 copies (huge-page storage) built by appends, row by row, or by selecting equal the bulk one")
    func bigCopiesMatchBulk() {
        var rng = SeededGenerator(seed: 6)
        let matrix = unitRows(12_000, 384, &rng) // 4.6 MB of codes: past HugePages.threshold
        let bulk = QuantizedMatrix(quantizing: matrix)
        var appended = QuantizedMatrix(columns: 384)
        for r in 0..<matrix.rows { appended.append(row: matrix.row(r)) } // grows through several reallocations
        #expect(appended.codes == bulk.codes && appended.scales == bulk.scales)
        var codes = [Int8](repeating: 0, count: matrix.rows * 384)
        let scales = (0..<matrix.rows).map { r in
            matrix.row(r).withUnsafeBufferPointer { row in
                codes.withUnsafeMutableBufferPointer { QuantizedMatrix.quantize(row: row, into: UnsafeMutableBufferPointer(rebasing: $0[r * 384 ..< (r + 1) * 384])) }
            }
        }
        let rowByRow = QuantizedMatrix(columns: 384, codes: codes, scales: scales)
        #expect(rowByRow.codes == bulk.codes && rowByRow.scales == bulk.scales)
        let picked = Array(stride(from: matrix.rows - 1, through: 0, by: -2))
        let selected = bulk.selecting(rows: picked)
        #expect(selected.rows == picked.count && selected.scales == picked.map { bulk.scales[$0] })
        let query = matrix.row(4321)
        let all = bulk.approximateScores(to: query)
        #expect(selected.approximateScores(to: query) == picked.map { all[$0] })
    }

    @Test("exact search returns the true top-k of a Double brute force (ties aside)", arguments: [1, 10, 50])
    func exactSearchIsTrueTopK(k: Int) {
        var rng = SeededGenerator(seed: UInt64(100 + k))
        let matrix = unitRows(3000, 64, &rng)
        for _ in 0..<5 {
            let query = (0..<64).map { _ in Float.random(in: -1...1, using: &rng) }
            let hits = matrix.nearestRows(to: query, k: k)
            let truth = bruteForceTopK(matrix, query, k: k + 1)
            #expect(hits.count == k)
            for (rank, hit) in hits.enumerated() {
                // Same row, or a different row whose true score ties the true row's within float error.
                let expected = truth[rank]
                #expect(hit.index == expected.index || abs(expected.score - truth.first { $0.index == hit.index }.map(\.score)!) < 1e-5)
                #expect(abs(Double(hit.score) - expected.score) < 1e-5)
            }
        }
    }

    @Test("rescoring every row is exact search; skipped rows never come back")
    func rescoreAllIsExact() {
        var rng = SeededGenerator(seed: 6)
        let matrix = unitRows(500, 48, &rng)
        let quantized = QuantizedMatrix(quantizing: matrix)
        let query = (0..<48).map { _ in Float.random(in: -1...1, using: &rng) }
        // Rescoring uses sdot, exact search sgemv: the same sums, added in another order (last-bit differences).
        func expectSame(_ a: [ScoredIndex], _ b: [ScoredIndex]) {
            #expect(a.map(\.index) == b.map(\.index))
            #expect(zip(a, b).allSatisfy { abs($0.score - $1.score) < 1e-5 })
        }
        let exact = matrix.nearestRows(to: query, k: 10)
        expectSame(matrix.nearestRows(to: query, k: 10, rescoring: quantized, candidates: 500), exact)
        let skipped = Set(exact.prefix(3).map(\.index))
        let rest = matrix.nearestRows(to: query, k: 10, rescoring: quantized, candidates: 500, skipping: skipped)
        #expect(rest.allSatisfy { !skipped.contains($0.index) })
        expectSame(Array(rest.prefix(7)), Array(exact.dropFirst(3)))
    }
}
