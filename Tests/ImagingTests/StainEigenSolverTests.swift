import Imaging
import Testing

@Suite struct StainEigenSolverTests {
    @Test func diagonalisesASymmetricMatrix() {
        let m: [[Double]] = [[4, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 1]]
        let eig = StainEigenSolver.symmetricEigen(m)
        #expect(eig[0].value >= eig[1].value && eig[1].value >= eig[2].value)
        for (value, v) in eig {
            // M v = λ v
            let mv = SIMD3((0..<3).map { i in (0..<3).map { m[i][$0] * v[$0] }.reduce(0, +) })
            #expect(abs((v * v).sum() - 1) < 1e-9)
            #expect(((mv - value * v) * (mv - value * v)).sum() < 1e-18)
        }
        #expect(abs(eig.map(\.value).reduce(0, +) - 8) < 1e-9, "trace is preserved")
    }
}

extension SIMD3 where Scalar == Double {
    init(_ a: [Double]) { self.init(a[0], a[1], a[2]) }
}
