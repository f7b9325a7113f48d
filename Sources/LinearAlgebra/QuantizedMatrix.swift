import CVectorKernels
import Dispatch

/// Which int8 dot-product kernel scans a `QuantizedMatrix`. All give identical scores (integer arithmetic);
/// they differ only in speed. `best` is the fastest this CPU runs.
public enum Int8Kernel: Int, Sendable, CaseIterable, CustomStringConvertible {
    case portable = 0
    case avx2 = 1
    case avx512VNNI = 2

    public static let best = Int8Kernel(rawValue: Int(avk_best_kernel().rawValue)) ?? .portable

    public var description: String {
        switch self {
        case .portable: "portable C"
        case .avx2: "AVX2"
        case .avx512VNNI: "AVX-512 VNNI"
        }
    }
}

/// An int8 copy of a `[rows, columns]` matrix, one scale per row (row r ≈ scales[r] · codes[r]):
/// a quarter of the bytes of float32 to stream per query, for a first pass whose best candidates are
/// then rescored exactly against the float32 rows.
public struct QuantizedMatrix: Sendable {
    public private(set) var rows: Int
    public let columns: Int
    /// Row-major codes in [-127, 127].
    public private(set) var codes: [Int8]
    public private(set) var scales: [Float]

    public init(columns: Int) {
        precondition(columns >= 0, "QuantizedMatrix: negative width \(columns)")
        rows = 0
        self.columns = columns
        codes = []
        scales = []
    }

    /// Quantises every row of `matrix`, split over `threads` threads when it is big (an index load).
    public init(quantizing matrix: Matrix, threads: Int = 1) {
        rows = matrix.rows
        columns = matrix.columns
        let (rows, columns) = (matrix.rows, matrix.columns)
        var scales = [Float](repeating: 0, count: rows)
        codes = [Int8](unsafeUninitializedCapacity: rows * columns) { codes, count in
            HugePages.advise(UnsafeMutableRawBufferPointer(codes))
            matrix.withUnsafeBufferPointer { values in
                scales.withUnsafeMutableBufferPointer { scales in
                    guard rows > 0, columns > 0 else { return }
                    let job = QuantizeJob(
                        values: values.baseAddress!, columns: columns, codes: codes.baseAddress!, scales: scales.baseAddress!
                    )
                    let parts = Swift.max(1, Swift.min(threads, rows / 4096))
                    let slice = (rows + parts - 1) / parts
                    if parts == 1 {
                        job.run(rows: 0..<rows)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: parts) { part in
                            job.run(rows: part * slice ..< Swift.min(rows, (part + 1) * slice))
                        }
                    }
                }
            }
            count = rows * columns
        }
        self.scales = scales
    }

    /// Wraps codes and scales made row by row with `quantize(row:into:)` (e.g. while reading the rows from
    /// a file, so the float rows are quantised while still in cache instead of in a second pass).
    public init(columns: Int, codes: [Int8], scales: [Float]) {
        precondition(columns >= 0, "QuantizedMatrix: negative width \(columns)")
        precondition(codes.count == scales.count * columns,
                     "QuantizedMatrix: \(codes.count) codes for \(scales.count) rows of \(columns) columns")
        rows = scales.count
        self.columns = columns
        self.codes = codes
        self.scales = scales
    }

    /// Quantises one row into `codes` (as every other path here does) and returns its scale.
    public static func quantize(row: UnsafeBufferPointer<Float>, into codes: UnsafeMutableBufferPointer<Int8>) -> Float {
        precondition(row.count == codes.count, "QuantizedMatrix: \(row.count) values into \(codes.count) codes")
        guard let values = row.baseAddress, let out = codes.baseAddress else { return 0 }
        return avk_quantize(values, row.count, out)
    }

    /// Appends the int8 form of one row.
    public mutating func append(row: [Float]) {
        precondition(row.count == columns, "QuantizedMatrix: appending a row of \(row.count) values to \(columns) columns")
        let (codes, scale) = Self.quantize(row)
        if self.codes.capacity < self.codes.count + columns {
            // Grow as Array would (doubling), but into storage advised for huge pages like the first one.
            let old = self.codes
            self.codes = Self.codes(capacity: Swift.max(2 * old.capacity, old.count + columns), count: old.count) { target in
                old.withUnsafeBytes { UnsafeMutableRawBufferPointer(target).copyMemory(from: $0) }
            }
        }
        self.codes.append(contentsOf: codes)
        scales.append(scale)
        rows += 1
    }

    /// Keeps only the rows at `indices`, in that order.
    public func selecting(rows indices: [Int]) -> QuantizedMatrix {
        var result = QuantizedMatrix(columns: columns)
        for r in indices {
            precondition(r >= 0 && r < rows, "QuantizedMatrix: row \(r) out of 0..<\(rows)")
        }
        let columns = columns
        result.codes = codes.withUnsafeBufferPointer { source in
            Self.codes(capacity: indices.count * columns, count: indices.count * columns) { target in
                for (i, r) in indices.enumerated() {
                    UnsafeMutableBufferPointer(rebasing: target[i * columns ..< (i + 1) * columns])
                        .update(fromContentsOf: source[r * columns ..< (r + 1) * columns])
                }
            }
        }
        result.scales = indices.map { scales[$0] }
        result.rows = indices.count
        return result
    }

    /// Storage for codes with room for `capacity`, its first `count` filled by `fill`; big ones are advised
    /// for huge pages before the first touch (the scan walks every page of them on every query).
    private static func codes(capacity: Int, count: Int, fill: (UnsafeMutableBufferPointer<Int8>) -> Void) -> [Int8] {
        [Int8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            HugePages.advise(UnsafeMutableRawBufferPointer(buffer))
            fill(UnsafeMutableBufferPointer(rebasing: buffer[0 ..< count]))
            initialized = count
        }
    }

    /// The float row the codes stand for (scale · codes).
    public func dequantizedRow(_ r: Int) -> [Float] {
        precondition(r >= 0 && r < rows, "QuantizedMatrix: row \(r) out of 0..<\(rows)")
        return codes[r * columns ..< (r + 1) * columns].map { Float($0) * scales[r] }
    }

    /// Approximate dot products of every row with `query`, up to one positive factor (the query's own
    /// scale), so they rank rows as the true dot products would, within quantisation error.
    /// Big scans are split over `threads` threads. Shapes: self `[n, d]`, query `[d]` → `[n]`.
    public func approximateScores(to query: [Float], threads: Int = 1, kernel: Int8Kernel = .best) -> [Float] {
        precondition(query.count == columns, "QuantizedMatrix: query of \(query.count) values against \(columns) columns")
        guard rows > 0, columns > 0 else { return [Float](repeating: 0, count: rows) }
        let queryCodes = Self.quantize(query).codes
        let rows = rows
        let columns = columns
        let kernelID = avk_kernel(rawValue: UInt32(kernel.rawValue))
        return [Float](unsafeUninitializedCapacity: rows) { scores, count in
            codes.withUnsafeBufferPointer { codes in
                scales.withUnsafeBufferPointer { scales in
                    queryCodes.withUnsafeBufferPointer { q in
                        let job = Int8Scan(
                            kernel: kernelID, codes: codes.baseAddress!, scales: scales.baseAddress!,
                            columns: columns, query: q.baseAddress!, scores: scores.baseAddress!
                        )
                        let parts = Swift.max(1, Swift.min(threads, rows / 1024))
                        if parts == 1 {
                            job.run(rows: 0..<rows)
                        } else {
                            // Contiguous slices, one per thread: each streams its own part of the codes.
                            let slice = (rows + parts - 1) / parts
                            DispatchQueue.concurrentPerform(iterations: parts) { part in
                                job.run(rows: part * slice ..< Swift.min(rows, (part + 1) * slice))
                            }
                        }
                    }
                }
            }
            count = rows
        }
    }

    /// Σ_j codes[r, j] per row, which `products` needs (its inputs are shifted to unsigned bytes).
    public func rowSums() -> [Int32] {
        (0..<rows).map { r in codes[r * columns ..< (r + 1) * columns].reduce(Int32(0)) { $0 + Int32($1) } }
    }

    /// `y[i, :] ≈ x[i, :] · selfᵀ` for `count` rows of `x` (`[count, columns]` → `[count, self.rows]`): each
    /// row of `x` quantised to int8 with its own scale, multiplied by the int8 kernel, scaled back. For a
    /// network's linear layers on short inputs (one question's tokens), where reading the weights dominates
    /// and int8 weights are a quarter of float32's bytes (E5-small's fit in the L3 cache).
    public func products(_ x: UnsafePointer<Float>, rows count: Int, rowSums: [Int32], into y: UnsafeMutablePointer<Float>) {
        precondition(rowSums.count == rows, "QuantizedMatrix.products: \(rowSums.count) row sums for \(rows) rows")
        guard count > 0, rows > 0 else { return }
        codes.withUnsafeBufferPointer { codes in
            scales.withUnsafeBufferPointer { scales in
                rowSums.withUnsafeBufferPointer { sums in
                    avk_int8_products(codes.baseAddress, scales.baseAddress, sums.baseAddress, rows, columns, x, count, y)
                }
            }
        }
    }

    static func quantize(_ vector: [Float]) -> (codes: [Int8], scale: Float) {
        var scale: Float = 0
        let codes = [Int8](unsafeUninitializedCapacity: vector.count) { codes, count in
            vector.withUnsafeBufferPointer { values in
                if !values.isEmpty {
                    scale = avk_quantize(values.baseAddress, values.count, codes.baseAddress)
                }
            }
            count = vector.count
        }
        return (codes, scale)
    }
}

/// One int8 scan's pointers, handed to the threads of `approximateScores`.
/// `@unchecked Sendable` is sound: the buffers outlive the (synchronous) `concurrentPerform`, the inputs are
/// only read, and each thread writes a disjoint range of `scores`.
private struct Int8Scan: @unchecked Sendable {
    let kernel: avk_kernel
    let codes: UnsafePointer<Int8>
    let scales: UnsafePointer<Float>
    let columns: Int
    let query: UnsafePointer<Int8>
    let scores: UnsafeMutablePointer<Float>

    func run(rows: Range<Int>) {
        guard !rows.isEmpty else { return }
        let start = rows.lowerBound
        avk_int8_scores(kernel, codes + start * columns, scales + start, rows.count, columns, query, scores + start)
    }
}

/// One bulk quantisation's pointers, handed to the threads of `init(quantizing:threads:)`; sound for the
/// same reasons as `Int8Scan` (synchronous, disjoint row ranges written).
private struct QuantizeJob: @unchecked Sendable {
    let values: UnsafePointer<Float>
    let columns: Int
    let codes: UnsafeMutablePointer<Int8>
    let scales: UnsafeMutablePointer<Float>

    func run(rows: Range<Int>) {
        guard !rows.isEmpty else { return }
        let start = rows.lowerBound
        avk_quantize_rows(values + start * columns, rows.count, columns, codes + start * columns, scales + start)
    }
}
