import Foundation
import Imaging

/// A deterministic generator (SplitMix64), so every run paints the same tissue.
struct SeededGenerator: RandomNumberGenerator {
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

/// H and E amounts of a made-up tissue: eosin-rich stroma with fibres, round haematoxylin nuclei, some empty lumen.
func syntheticConcentrations(width: Int, height: Int, nuclei: Int, seed: UInt64) -> StainConcentrations {
    var rng = SeededGenerator(seed: seed)
    var h = [Float](repeating: 0, count: width * height)
    var e = [Float](repeating: 0, count: width * height)
    let lumen = (x: Double(width) * 0.75, y: Double(height) * 0.25, r: Double(min(width, height)) * 0.15)
    for y in 0..<height {
        for x in 0..<width {
            let dx = Double(x) - lumen.x, dy = Double(y) - lumen.y
            if dx * dx + dy * dy < lumen.r * lumen.r { continue }
            let fibre = 0.5 + 0.5 * sin(Double(x + 2 * y) * 0.35)
            e[y * width + x] = Float(0.45 + 0.55 * fibre) + Float.random(in: -0.05...0.05, using: &rng)
        }
    }
    for _ in 0..<nuclei {
        let cx = Double.random(in: 0..<Double(width), using: &rng)
        let cy = Double.random(in: 0..<Double(height), using: &rng)
        let r = Double.random(in: 3...6, using: &rng)
        let dark = Float.random(in: 1.0...1.6, using: &rng)
        for y in max(0, Int(cy - r))...min(height - 1, Int(cy + r)) {
            for x in max(0, Int(cx - r))...min(width - 1, Int(cx + r)) {
                let dx = Double(x) - cx, dy = Double(y) - cy
                if dx * dx + dy * dy <= r * r {
                    h[y * width + x] = dark
                    e[y * width + x] *= 0.1
                }
            }
        }
    }
    return StainConcentrations(width: width, height: height, haematoxylin: h, eosin: e)
}
