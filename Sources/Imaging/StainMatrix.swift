import Foundation

/// The optical-density directions of haematoxylin and eosin: each a unit vector over (R, G, B).
///
/// A pixel's optical density is (approximately) `haematoxylin * cH + eosin * cE`, where cH and cE
/// are the amounts of each dye (Beer–Lambert); colour deconvolution recovers cH and cE.
public struct StainMatrix: Sendable, Hashable, CustomStringConvertible {
    public var haematoxylin: SIMD3<Double>
    public var eosin: SIMD3<Double>

    /// Both vectors are scaled to unit length.
    public init(haematoxylin: SIMD3<Double>, eosin: SIMD3<Double>) {
        self.haematoxylin = Self.unit(haematoxylin)
        self.eosin = Self.unit(eosin)
    }

    /// The reference of Macenko et al. (2009) as most implementations ship it; normalised images are painted with it.
    public static let macenkoReference = StainMatrix(
        haematoxylin: [0.5626, 0.7201, 0.4062],
        eosin: [0.2159, 0.8012, 0.5581]
    )

    /// Ruifrok & Johnston's (2001) H&E vectors: a second, differently hued staining for tests and re-staining.
    public static let ruifrok = StainMatrix(
        haematoxylin: [0.650, 0.704, 0.286],
        eosin: [0.072, 0.990, 0.105]
    )

    /// Angle between two stain directions, in degrees.
    public static func angle(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
        let c = (unit(a) * unit(b)).sum()
        return acos(min(1, max(-1, c))) * 180 / .pi
    }

    /// The larger of the two angles between matching stains of `self` and `other`, in degrees.
    public func maximumAngle(to other: StainMatrix) -> Double {
        max(Self.angle(haematoxylin, other.haematoxylin), Self.angle(eosin, other.eosin))
    }

    /// The rows of the least-squares unmixing matrix (MᵀM)⁻¹Mᵀ for M = [h e]: c = (row0·od, row1·od).
    public var unmixingRows: (haematoxylin: SIMD3<Double>, eosin: SIMD3<Double>) {
        let hh = (haematoxylin * haematoxylin).sum()
        let ee = (eosin * eosin).sum()
        let he = (haematoxylin * eosin).sum()
        let det = hh * ee - he * he
        // Parallel stains cannot be told apart; give everything to haematoxylin rather than dividing by zero.
        guard det > 1e-9 else { return (haematoxylin / max(hh, 1e-9), .zero) }
        return ((ee * haematoxylin - he * eosin) / det, (hh * eosin - he * haematoxylin) / det)
    }

    public var description: String {
        func f(_ v: SIMD3<Double>) -> String {
            "[" + [v.x, v.y, v.z].map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]"
        }
        return "H \(f(haematoxylin)) E \(f(eosin))"
    }

    static func unit(_ v: SIMD3<Double>) -> SIMD3<Double> {
        let n = (v * v).sum().squareRoot()
        return n > 0 ? v / n : v
    }
}
