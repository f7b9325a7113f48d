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
        for r in 0..<rows {
            let row = x + r * width
            for i in 0..<width { row[i] += bias[i] }
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
        for r in 0..<rows {
            let row = x + r * width
            if let residual {
                let add = residual + r * width
                for i in 0..<width { row[i] += add[i] }
            }
            var sum: Float = 0
            for i in 0..<width { sum += row[i] }
            let mean = sum / Float(width)
            var squares: Float = 0
            for i in 0..<width {
                let d = row[i] - mean
                squares += d * d
            }
            let inverse = 1 / (squares / Float(width) + eps).squareRoot()
            for i in 0..<width { row[i] = (row[i] - mean) * inverse * gamma[i] + beta[i] }
        }
    }

    /// The exact GELU of BERT (`hidden_act: gelu`): `x · Φ(x) = 0.5 · x · (1 + erf(x / √2))`, in place.
    public static func geluErf(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + erff(v * 0.707_106_781_186_547_5))
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
            var sum: Float = 0
            for i in 0..<n {
                let e = expf(row[i] - maximum)
                row[i] = e
                sum += e
            }
            let inverse = 1 / sum
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

    /// Sets OpenBLAS's thread count (the app does this once at start-up; tests and benchmarks too).
    public static func setBLASThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
