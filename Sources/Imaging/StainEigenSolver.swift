/// Eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi rotations: exact enough, allocation-free.
public enum StainEigenSolver {
    /// Eigenvalues in descending order with their unit eigenvectors. `m` is row-major and must be symmetric.
    public static func symmetricEigen(_ m: [[Double]]) -> [(value: Double, vector: SIMD3<Double>)] {
        var a = m
        var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<50 {
            let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            if off < 1e-22 { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where abs(a[p][q]) > 1e-300 {
                // Rotation angle that zeroes a[p][q] (Numerical Recipes' stable form).
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot()
                let s = t * c
                for k in 0..<3 {
                    let akp = a[k][p], akq = a[k][q]
                    a[k][p] = c * akp - s * akq
                    a[k][q] = s * akp + c * akq
                }
                for k in 0..<3 {
                    let apk = a[p][k], aqk = a[q][k]
                    a[p][k] = c * apk - s * aqk
                    a[q][k] = s * apk + c * aqk
                }
                for k in 0..<3 {
                    let vkp = v[k][p], vkq = v[k][q]
                    v[k][p] = c * vkp - s * vkq
                    v[k][q] = s * vkp + c * vkq
                }
            }
        }
        return (0..<3)
            .map { j in (value: a[j][j], vector: SIMD3(v[0][j], v[1][j], v[2][j])) }
            .sorted { $0.value > $1.value }
    }
}
