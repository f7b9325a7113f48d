import Imaging
import Testing

/// A field of one dye (blood, eosin-only stroma) in an unusual shade must not be read as haematoxylin:
/// that would make red cells look like a sheet of nuclei to everything downstream.
@Suite struct StainSingleDyeTests {
    /// Two shades of an orange eosin and no haematoxylin: dense red cells on paler plasma.
    func orangeBlood() -> RGBImage {
        let size = 128
        var eosin = [Float](repeating: 0, count: size * size)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in eosin.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let cell = (i / size / 6 + i % size / 6) % 3 != 0
            eosin[i] = (cell ? 1.3 : 0.45) + Float(state >> 40) / Float(1 << 24) * 0.1
        }
        let orange = StainMatrix(haematoxylin: [0.60, 0.71, 0.37], eosin: [0.06, 0.62, 0.78])
        let c = StainConcentrations(width: size, height: size, haematoxylin: [Float](repeating: 0, count: size * size), eosin: eosin)
        return ColourDeconvolution.compose(c, stains: orange)
    }

    @Test func anEosinOnlyFieldKeepsItsHaematoxylinNearZero() {
        let n = StainNormalizer().normalization(orangeBlood())
        let h = n.concentrations.haematoxylin.reduce(0, +) / Float(n.concentrations.haematoxylin.count)
        let e = n.concentrations.eosin.reduce(0, +) / Float(n.concentrations.eosin.count)
        #expect(e > 0.3)
        #expect(h < e * 0.15, "mean H \(h) vs mean E \(e)")
        if case .estimated(let estimate) = n.source {
            Issue.record("a single dye gave a two-stain estimate: \(estimate.stains)")
        }
    }
}
