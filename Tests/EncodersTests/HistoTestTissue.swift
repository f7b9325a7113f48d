import Foundation
import Imaging

/// A deterministic generator (SplitMix64), so every run paints the same tissue.
struct HistoSeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Made-up H&E textures that differ the way tissue classes do; painted with the reference stains.
enum HistoTestTissue: CaseIterable {
    /// Lymphocyte-like: many small, dark, round nuclei packed tight.
    case denseSmallNuclei
    /// Epithelium-like: fewer large, paler nuclei in pink cytoplasm.
    case sparseLargeNuclei
    /// Fat: large empty vacuoles separated by thin pink membranes.
    case fatVacuoles
    /// Stroma/muscle-like: parallel pink fibres with a few long thin nuclei.
    case fibres

    func concentrations(width: Int, height: Int, seed: UInt64) -> StainConcentrations {
        var rng = HistoSeededGenerator(seed: seed &+ UInt64(HistoTestTissue.allCases.firstIndex(of: self)!) &* 1000)
        var h = [Float](repeating: 0, count: width * height)
        var e = [Float](repeating: 0, count: width * height)
        func noise() -> Float { Float.random(in: -0.04...0.04, using: &rng) }
        func ellipse(_ cx: Double, _ cy: Double, _ a: Double, _ b: Double, _ angle: Double, _ body: (Int) -> Void) {
            let r = max(a, b)
            let c = cos(angle), s = sin(angle)
            let y0 = max(0, Int(cy - r)), y1 = min(height - 1, Int(cy + r))
            let x0 = max(0, Int(cx - r)), x1 = min(width - 1, Int(cx + r))
            guard y0 <= y1, x0 <= x1 else { return }
            for y in y0...y1 {
                for x in x0...x1 {
                    let dx = Double(x) - cx, dy = Double(y) - cy
                    let u = (dx * c + dy * s) / a, v = (-dx * s + dy * c) / b
                    if u * u + v * v <= 1 { body(y * width + x) }
                }
            }
        }
        switch self {
        case .denseSmallNuclei:
            for i in e.indices { e[i] = 0.35 + noise() }
            for _ in 0..<(width * height / 45) {
                let cx = Double.random(in: 0..<Double(width), using: &rng), cy = Double.random(in: 0..<Double(height), using: &rng)
                let r = Double.random(in: 3...4.2, using: &rng), d = Float.random(in: 1.5...1.9, using: &rng)
                ellipse(cx, cy, r, r, 0) { h[$0] = d + noise(); e[$0] = 0.05 }
            }
        case .sparseLargeNuclei:
            for i in e.indices { e[i] = 0.75 + noise() }
            for _ in 0..<(width * height / 900) {
                let cx = Double.random(in: 0..<Double(width), using: &rng), cy = Double.random(in: 0..<Double(height), using: &rng)
                let a = Double.random(in: 8...11, using: &rng), b = a * Double.random(in: 0.7...0.9, using: &rng)
                let d = Float.random(in: 0.8...1.1, using: &rng)
                let angle = Double.random(in: 0..<Double.pi, using: &rng)
                ellipse(cx, cy, a, b, angle) { h[$0] = d + 0.3 * Float.random(in: 0...1, using: &rng); e[$0] = 0.2 }
            }
        case .fatVacuoles:
            for i in e.indices { e[i] = 0.9 + noise() }
            var y = 0.0
            while y < Double(height) + 30 {
                var x = Double.random(in: -20...0, using: &rng)
                while x < Double(width) + 30 {
                    let r = Double.random(in: 22...34, using: &rng)
                    ellipse(x + r, y + Double.random(in: -6...6, using: &rng), r, r * Double.random(in: 0.8...1, using: &rng), 0) {
                        e[$0] = 0.02; h[$0] = 0
                    }
                    x += 2 * r + 3
                }
                y += 52
            }
        case .fibres:
            let angle = Double.random(in: 0..<Double.pi, using: &rng)
            let c = cos(angle), s = sin(angle)
            for yy in 0..<height {
                for xx in 0..<width {
                    let t = Double(xx) * c + Double(yy) * s
                    let wave = 0.5 + 0.5 * sin(t * 0.9 + 0.6 * sin(Double(-xx) * s * 0.05 + Double(yy) * c * 0.05))
                    e[yy * width + xx] = Float(0.25 + 0.9 * wave) + noise()
                }
            }
            for _ in 0..<(width * height / 2500) {
                let cx = Double.random(in: 0..<Double(width), using: &rng), cy = Double.random(in: 0..<Double(height), using: &rng)
                ellipse(cx, cy, 12, 2.5, angle + .pi / 2) { h[$0] = 1.2 + noise() }
            }
        }
        return StainConcentrations(width: width, height: height, haematoxylin: h, eosin: e)
    }

    func image(width: Int = 224, height: Int = 224, seed: UInt64) -> RGBImage {
        ColourDeconvolution.compose(concentrations(width: width, height: height, seed: seed), stains: .macenkoReference)
    }
}
