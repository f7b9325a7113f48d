import Foundation

/// Rotation-invariant uniform local binary patterns (Ojala et al. 2002, "riu2") with P = 8 neighbours on a circle
/// of radius R, sampled bilinearly. Bins 0…8 count uniform patterns by their number of brighter neighbours; bin 9
/// takes every non-uniform pattern. Invariant to any monotonic change of the channel (stain strength, brightness).
struct LBPHistogram: Sendable {
    static let bins = 10
    let radius: Double
    /// A neighbour counts as brighter only above centre + tolerance, so flat, noisy areas read as flat.
    let tolerance: Float

    /// riu2 code of each 8-bit pattern.
    static let riu2: [UInt8] = (0..<256).map { p in
        var transitions = 0
        for i in 0..<8 where ((p >> i) & 1) != ((p >> ((i + 1) % 8)) & 1) { transitions += 1 }
        return transitions <= 2 ? UInt8(p.nonzeroBitCount) : 9
    }

    /// Counts (not normalised) over every pixel whose circle lies inside the plane.
    func counts(_ plane: HistoPlane) -> [Float] {
        var hist = [Float](repeating: 0, count: Self.bins)
        let margin = Int(radius.rounded(.up)) + 1
        guard plane.width > 2 * margin, plane.height > 2 * margin else { return hist }
        // Per neighbour: integer offset of the top-left sample and the four bilinear weights.
        var offsets = [Int](repeating: 0, count: 8)
        var weights = [SIMD4<Float>](repeating: .zero, count: 8)
        let w = plane.width
        for p in 0..<8 {
            let a = 2 * Double.pi * Double(p) / 8
            var dx = radius * cos(a), dy = -radius * sin(a)
            // Snap values within rounding of an integer so axis neighbours need no interpolation.
            if abs(dx - dx.rounded()) < 1e-6 { dx = dx.rounded() }
            if abs(dy - dy.rounded()) < 1e-6 { dy = dy.rounded() }
            let fx = floor(dx), fy = floor(dy)
            let tx = Float(dx - fx), ty = Float(dy - fy)
            offsets[p] = Int(fy) * w + Int(fx)
            weights[p] = [(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty]
        }
        let tol = tolerance
        Self.riu2.withUnsafeBufferPointer { code in
            plane.values.withUnsafeBufferPointer { v in
                for y in margin..<(plane.height - margin) {
                    for x in margin..<(plane.width - margin) {
                        let i = y * w + x
                        let c = v[i] + tol
                        var pattern = 0
                        for p in 0..<8 {
                            let j = i + offsets[p]
                            let wt = weights[p]
                            let s = wt.x * v[j] + wt.y * v[j + 1] + wt.z * v[j + w] + wt.w * v[j + w + 1]
                            if s > c { pattern |= 1 << p }
                        }
                        hist[Int(code[pattern])] += 1
                    }
                }
            }
        }
        return hist
    }
}
