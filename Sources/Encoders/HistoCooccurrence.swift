/// Grey-level co-occurrence (Haralick's GLCM) of one stain amount: how often a pixel of one level lies `distance`
/// pixels from a pixel of another, pooled over four directions (0°, 45°, 90°, 135°) and both orders, so it does
/// not depend on which way the tissue is turned. First-order histograms say how much nucleus there is; this says
/// how it is arranged: crowded tumour nuclei put dark next to dark, scattered debris and stromal nuclei dark
/// next to pale.
struct HistoCooccurrence: Sendable {
    static let levels = 5
    /// The symmetric matrix's upper triangle.
    static let bins = levels * (levels + 1) / 2
    let distance: Int
    /// Values are soft-binned over 0…top.
    let top: Float

    func counts(_ plane: HistoPlane) -> [Float] {
        let l = Self.levels
        var m = [Float](repeating: 0, count: l * l)
        let w = plane.width, h = plane.height, d = distance
        guard w > 2 * d, h > d else { return [Float](repeating: 0, count: Self.bins) }
        let scale = Float(l - 1) / top
        // Each pixel's two soft levels, computed once.
        var lo = [Int](repeating: 0, count: w * h), frac = [Float](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            let c = min(max(plane.values[i] * scale, 0), Float(l - 1))
            let b = min(Int(c), l - 2)
            lo[i] = b
            frac[i] = c - Float(b)
        }
        lo.withUnsafeBufferPointer { lo in
            frac.withUnsafeBufferPointer { fr in
                m.withUnsafeMutableBufferPointer { m in
                    @inline(__always) func pair(_ i: Int, _ j: Int) {
                        let a = lo[i], b = lo[j], fa = fr[i], fb = fr[j]
                        m[a * l + b] += (1 - fa) * (1 - fb)
                        m[(a + 1) * l + b] += fa * (1 - fb)
                        m[a * l + b + 1] += (1 - fa) * fb
                        m[(a + 1) * l + b + 1] += fa * fb
                    }
                    for y in 0..<(h - d) {
                        for x in d..<(w - d) {
                            let i = y * w + x
                            pair(i, i + d)
                            pair(i, i + d * w)
                            pair(i, i + d * w + d)
                            pair(i, i + d * w - d)
                        }
                    }
                }
            }
        }
        var out: [Float] = []
        out.reserveCapacity(Self.bins)
        for a in 0..<l {
            for b in a..<l { out.append(a == b ? m[a * l + b] : m[a * l + b] + m[b * l + a]) }
        }
        return out
    }
}
