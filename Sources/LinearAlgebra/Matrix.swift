import CBLAS
import CVectorKernels

/// A row-major, contiguous `[rows, columns]` matrix of Float: row `r` occupies
/// `values[r * columns ..< (r + 1) * columns]`, so a whole matrix goes to BLAS as one pointer.
public struct Matrix: Sendable, Hashable {
    public private(set) var rows: Int
    public let columns: Int
    /// The elements, row after row; `values.count == rows * columns` always holds.
    public private(set) var values: [Float]

    /// A zero matrix.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape [\(rows), \(columns)]")
        self.rows = rows
        self.columns = columns
        self.values = [Float](repeating: 0, count: rows * columns)
    }

    /// Wraps row-major `values`; their count must be `rows * columns`.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape [\(rows), \(columns)]")
        precondition(values.count == rows * columns, "Matrix: \(values.count) values for shape [\(rows), \(columns)]")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Stacks equally long rows; `columns` is needed to know the width of an empty matrix.
    public init(stacking rowVectors: [[Float]], columns: Int) {
        var values = [Float]()
        values.reserveCapacity(rowVectors.count * columns)
        for row in rowVectors {
            precondition(row.count == columns, "Matrix: row of \(row.count) values in a matrix of \(columns) columns")
            values.append(contentsOf: row)
        }
        self.init(rows: rowVectors.count, columns: columns, values: values)
    }

    /// A matrix whose storage is filled in place by `fill` (e.g. a memcpy from SQLite BLOBs), without
    /// first writing zeros the caller is about to overwrite.
    public init(
        rows: Int, columns: Int, fill: (_ buffer: UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape [\(rows), \(columns)]")
        self.rows = rows
        self.columns = columns
        self.values = try [Float](unsafeUninitializedCapacity: rows * columns) { buffer, count in
            // Zero first so a `fill` that leaves gaps never exposes uninitialised memory.
            buffer.initialize(repeating: 0)
            count = rows * columns
            try fill(buffer)
        }
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// A copy of one row.
    public func row(_ r: Int) -> [Float] {
        precondition(r >= 0 && r < rows, "Matrix: row \(r) out of 0..<\(rows)")
        return Array(values[r * columns ..< (r + 1) * columns])
    }

    /// Appends one row at the bottom.
    public mutating func append(row: [Float]) {
        precondition(row.count == columns, "Matrix: appending a row of \(row.count) values to \(columns) columns")
        values.append(contentsOf: row)
        rows += 1
    }

    /// Appends the rows of `other` at the bottom.
    public mutating func append(rowsOf other: Matrix) {
        precondition(other.columns == columns, "Matrix: appending \(other.columns) columns to \(columns)")
        values.append(contentsOf: other.values)
        rows += other.rows
    }

    /// Keeps only the rows at `indices`, in that order.
    public func selecting(rows indices: [Int]) -> Matrix {
        var result = [Float]()
        result.reserveCapacity(indices.count * columns)
        for r in indices {
            precondition(r >= 0 && r < rows, "Matrix: row \(r) out of 0..<\(rows)")
            result.append(contentsOf: values[r * columns ..< (r + 1) * columns])
        }
        return Matrix(rows: indices.count, columns: columns, values: result)
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer(body)
    }

    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try values.withUnsafeMutableBufferPointer(body)
    }
}

extension Matrix {
    /// `self · other` (or `self · otherᵀ` when `transposingOther`), with one `sgemm`.
    /// Shapes: `[m, k] · [k, n] → [m, n]`, or `[m, k] · [n, k]ᵀ → [m, n]`.
    public func multiplied(by other: Matrix, transposingOther: Bool = false) -> Matrix {
        let m = rows
        let k = columns
        let n = transposingOther ? other.rows : other.columns
        precondition(
            (transposingOther ? other.columns : other.rows) == k,
            "Matrix: cannot multiply [\(rows), \(columns)] by \(transposingOther ? "transposed " : "")[\(other.rows), \(other.columns)]"
        )
        var result = Matrix(rows: m, columns: n)
        guard m > 0, n > 0 else { return result }
        guard k > 0 else { return result } // an empty sum is zero
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                result.values.withUnsafeMutableBufferPointer { c in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, transposingOther ? CblasTrans : CblasNoTrans,
                        blasint(m), blasint(n), blasint(k),
                        1, a.baseAddress, blasint(k),
                        b.baseAddress, blasint(other.columns),
                        0, c.baseAddress, blasint(n)
                    )
                }
            }
        }
        return result
    }

    /// `self · vector`: `[rows, columns] · [columns] → [rows]`. Our own kernel rather than `sgemv`: the same
    /// arithmetic, streamed several rows at a time (CVectorKernels' `avk_f32_scores`), 7–20 % faster than
    /// Debian's OpenBLAS at 100k rows (a C microbenchmark, best of 40), and ahead of numpy at every size.
    public func multiplied(by vector: [Float]) -> [Float] {
        precondition(vector.count == columns, "Matrix: cannot multiply [\(rows), \(columns)] by a vector of \(vector.count)")
        guard rows > 0, columns > 0 else { return [Float](repeating: 0, count: rows) }
        return values.withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { x in
                [Float](unsafeUninitializedCapacity: rows) { y, initialized in
                    avk_f32_scores(a.baseAddress, rows, columns, x.baseAddress, y.baseAddress)
                    initialized = rows
                }
            }
        }
    }

    /// Scales every row to unit L2 length; all-zero rows stay zero.
    public mutating func normalizeRows() {
        let columns = columns
        guard columns > 0 else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            for r in 0..<rows {
                let row = buffer.baseAddress! + r * columns
                let norm = cblas_snrm2(blasint(columns), row, 1)
                if norm > 0 { cblas_sscal(blasint(columns), 1 / norm, row, 1) }
            }
        }
    }
}
