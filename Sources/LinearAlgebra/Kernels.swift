import CBLAS
import Foundation

/// The element-wise and row-wise operations of a transformer layer, over row-major Float buffers.
/// Matrix products go through OpenBLAS; the rest are plain loops the compiler vectorises.
/// Shapes are in the names: `rows × width` means `rows` consecutive rows of `width` floats.
public enum NeuralKernels {
    /// `C[m, n] = alpha · A[m, k] · op(B) + beta · C`, row-major, where `op(B)` is `B[k, n]`, or `Bᵀ`
    /// when `transposeB` (B stored `[n, k]`, the layout of PyTorch `Linear` weights).
    /// `lda`, `ldb`, `ldc` default to the packed widths; pass larger strides to address sub-matrices
    /// (one attention head's columns inside `[tokens, hidden]`).
    public static func gemm(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeB: Bool,
        alpha: Float = 1, beta: Float = 0,
        lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda ?? k), b, Int32(ldb ?? (transposeB ? k : n)), beta, c, Int32(ldc ?? n)
        )
    }

    /// `x[r, :] += bias` for every row of a `rows × bias.count` buffer.
    public static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, bias: UnsafeBufferPointer<Float>) {
        let width = bias.count
        parallelRows(rows, work: rows * width) { range in
            for r in range {
                let row = x + r * width
                for i in 0..<width { row[i] += bias[i] }
            }
        }
    }

    /// Layer normalisation of each row in place: `(x − mean) / sqrt(var + eps) · gamma + beta`,
    /// with the biased variance (as PyTorch). When `residual` is given it is added first (`x += residual`).
    public static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, rows: Int,
        gamma: UnsafeBufferPointer<Float>, beta: UnsafeBufferPointer<Float>, eps: Float,
        residual: UnsafePointer<Float>? = nil
    ) {
        let width = gamma.count
        parallelRows(rows, work: rows * width * 4) { range in
            for r in range {
                let row = x + r * width
                if let residual {
                    let add = residual + r * width
                    for i in 0..<width { row[i] += add[i] }
                }
                let mean = sum(row, count: width) / Float(width)
                var squares = SIMD16<Float>()
                var i = 0
                while i + 16 <= width {
                    let d = load16(row + i) - mean
                    squares += d * d
                    i += 16
                }
                var tail: Float = 0
                while i < width {
                    let d = row[i] - mean
                    tail += d * d
                    i += 1
                }
                let inverse = 1 / ((squares.sum() + tail) / Float(width) + eps).squareRoot()
                for i in 0..<width { row[i] = (row[i] - mean) * inverse * gamma[i] + beta[i] }
            }
        }
    }

    /// The exact GELU of BERT (`hidden_act: gelu`): `x · Φ(x) = 0.5 · x · (1 + erf(x / √2))`, in place.
    /// erf is the rational approximation of Eigen/XLA (|error| < 5e-7 in Float), which vectorises,
    /// unlike libm's `erff`.
    public static func geluErf(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let chunk = 16384
        parallelRows((count + chunk - 1) / chunk, work: count * 8) { range in
            for c in range {
                let start = c * chunk
                geluErfRun(x + start, count: min(count, start + chunk) - start)
            }
        }
    }

    /// One branch-free scalar loop, written so LLVM's loop vectoriser turns it into packed SIMD
    /// (min/max as compare-select, no calls); explicit `SIMDn` code compiles `pointwiseMin`, `clamped`
    /// and Float→Int conversions lane by lane through the stack, which cost 5× the arithmetic.
    @inline(__always) static func geluErfRun(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + Self.erf(v * 0.707_106_781_186_547_5))
        }
    }

    /// Softmax of each row in place over its first `valid` columns (`valid ≤ width`); the columns after
    /// them are set to 0, as an attention mask with −∞ would leave them.
    public static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, valid: Int? = nil) {
        let n = valid ?? width
        for r in 0..<rows {
            let row = x + r * width
            var maximum = -Float.infinity
            for i in 0..<n where row[i] > maximum { maximum = row[i] }
            for i in 0..<n { row[i] = Self.exp(row[i] - maximum) }
            let inverse = 1 / sum(row, count: n)
            for i in 0..<n { row[i] *= inverse }
            for i in n..<width { row[i] = 0 }
        }
    }

    /// Scales each row of a `rows × width` buffer to unit L2 norm (rows of zeros stay zero).
    public static func l2NormalizeRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows {
            let row = x + r * width
            var squares: Float = 0
            for i in 0..<width { squares += row[i] * row[i] }
            let norm = squares.squareRoot()
            // sentence-transformers' Normalize divides by max(norm, 1e-12).
            let inverse = 1 / max(norm, 1e-12)
            for i in 0..<width { row[i] *= inverse }
        }
    }

    /// Runs `body` over `0..<count` split into contiguous ranges on all cores when `work` (a rough
    /// operation count) is large enough to pay for the hand-off; inline otherwise.
    public static func parallelRows(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let workers = min(count, ProcessInfo.processInfo.activeProcessorCount)
        guard workers > 1, work >= 1 << 16 else {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            // Safe: each worker gets a disjoint range, and concurrentPerform returns only when all are done.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                body((count * w / workers)..<(count * (w + 1) / workers))
            }
        }
    }

    // MARK: 16-lane helpers

    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) static func load16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) static func sum(_ p: UnsafeMutablePointer<Float>, count: Int) -> Float {
        var total = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            total += load16(p + i)
            i += 16
        }
        var tail: Float = 0
        while i < count {
            tail += p[i]
            i += 1
        }
        return total.sum() + tail
    }

    /// erf(x) = x · P(x²) / Q(x²) on [−4, 4] (clamped outside, where erf is ±1 to Float precision).
    @inline(__always) static func erf(_ v: Float) -> Float {
        let x = Swift.min(Swift.max(v, -4), 4)
        let x2 = x * x
        var p: Float = -2.726_142_258_013_06e-10
        p = p * x2 + 2.770_681_424_959_02e-08
        p = p * x2 - 2.101_024_020_825_08e-06
        p = p * x2 - 5.692_506_394_623_46e-05
        p = p * x2 - 7.349_906_303_268_55e-04
        p = p * x2 - 2.954_599_808_540_25e-03
        p = p * x2 - 1.609_603_332_624_15e-02
        var q: Float = -1.456_607_184_649_96e-05
        q = q * x2 - 2.133_740_552_789_05e-04
        q = q * x2 - 1.682_826_974_382_03e-03
        q = q * x2 - 7.373_329_167_204_68e-03
        q = q * x2 - 1.426_473_905_141_89e-02
        return x * p / q
    }

    /// eˣ by range reduction (x = n·ln2 + r) and Cephes' degree-6 polynomial: within 2 ulp.
    /// n is rounded by adding 1.5·2²³ (the sum's low mantissa bits then hold n as an integer), so the
    /// whole function is arithmetic and bit casts, which vectorise.
    @inline(__always) static func exp(_ v: Float) -> Float {
        let x = Swift.min(Swift.max(v, -87.3), 88.3)
        let magic: Float = 12_582_912  // 1.5 · 2²³
        let shifted = x * 1.442_695_040_888_963_4 + magic
        let n = shifted - magic
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p: Float = 1.987_569_150_0e-4
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        let integer = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        return p * Float(bitPattern: UInt32(bitPattern: (integer &+ 127) &<< 23))
    }
}
