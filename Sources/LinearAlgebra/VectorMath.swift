import CBLAS

// Dot products, norms and cosine for plain `[Float]` vectors, over BLAS level 1.

extension Array where Element == Float {
    /// Σ selfᵢ·otherᵢ; both vectors must have the same length.
    public func dot(_ other: [Float]) -> Float {
        precondition(count == other.count, "dot: vectors of \(count) and \(other.count) values")
        guard !isEmpty else { return 0 }
        return withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                cblas_sdot(blasint(count), a.baseAddress, 1, b.baseAddress, 1)
            }
        }
    }

    /// The Euclidean length.
    public var l2Norm: Float {
        guard !isEmpty else { return 0 }
        return withUnsafeBufferPointer { cblas_snrm2(blasint(count), $0.baseAddress, 1) }
    }

    /// The vector scaled to unit length; a zero vector stays zero (it has no direction to keep).
    public func l2Normalized() -> [Float] {
        var copy = self
        copy.l2Normalize()
        return copy
    }

    /// Scales the vector to unit length in place; a zero vector stays zero.
    public mutating func l2Normalize() {
        let norm = l2Norm
        guard norm > 0, norm.isFinite else { return }
        let n = blasint(count)
        withUnsafeMutableBufferPointer { cblas_sscal(n, 1 / norm, $0.baseAddress, 1) }
    }

    /// cos ∠(self, other) in [-1, 1]; 0 when either vector is zero.
    public func cosineSimilarity(to other: [Float]) -> Float {
        let norms = l2Norm * other.l2Norm
        guard norms > 0 else { return 0 }
        return Swift.min(1, Swift.max(-1, dot(other) / norms))
    }
}

/// OpenBLAS's worker threads. The machine is small and shared; a server answering several requests
/// at once does better with one BLAS thread per request than with BLAS threads fighting each other.
public enum BLASThreads {
    public static var count: Int { Int(openblas_get_num_threads()) }

    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(Swift.max(1, count)))
    }
}
