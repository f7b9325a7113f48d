/// How fibrillar a channel is, locally: the structure tensor (gradient outer products) summed over a
/// (2·radius+1)² window at every pixel, and a histogram of its coherence (λ₁ − λ₂)/(λ₁ + λ₂), weighted by the
/// window's gradient energy. Collagen in stroma and fibres of smooth muscle run in one direction over a few
/// micrometres even where the bundles wave (the tile-wide coherence then averages out); nuclei, debris and
/// mucus do not. Coherence ignores the direction and scale of the channel, so turning and re-staining leave it.
struct HistoLocalCoherence: Sendable {
    static let bins = 8
    let radius: Int

    func histogram(_ plane: HistoPlane) -> [Float] {
        var hist = [Float](repeating: 0, count: Self.bins)
        let w = plane.width, h = plane.height
        guard w > 2 * radius + 3, h > 2 * radius + 3 else { return hist }
        // Integral images of gx², gy², gx·gy (central differences, zero on the border), one extra row and column.
        let iw = w + 1
        var jxx = [Double](repeating: 0, count: iw * (h + 1)), jyy = jxx, jxy = jxx
        plane.values.withUnsafeBufferPointer { v in
            for y in 0..<h {
                var rxx = 0.0, ryy = 0.0, rxy = 0.0
                for x in 0..<w {
                    if x > 0, x < w - 1, y > 0, y < h - 1 {
                        let i = y * w + x
                        let gx = Double(v[i + 1] - v[i - 1]), gy = Double(v[i + w] - v[i - w])
                        rxx += gx * gx; ryy += gy * gy; rxy += gx * gy
                    }
                    let o = (y + 1) * iw + x + 1
                    jxx[o] = jxx[o - iw] + rxx
                    jyy[o] = jyy[o - iw] + ryy
                    jxy[o] = jxy[o - iw] + rxy
                }
            }
        }
        let r = radius, scale = Float(Self.bins - 1)
        for y in (r + 1)..<(h - r - 1) {
            for x in (r + 1)..<(w - r - 1) {
                let a = (y - r) * iw + (x - r), b = a + 2 * r + 1, c = (y + r + 1) * iw + (x - r), d = c + 2 * r + 1
                let sxx = jxx[d] - jxx[b] - jxx[c] + jxx[a]
                let syy = jyy[d] - jyy[b] - jyy[c] + jyy[a]
                let sxy = jxy[d] - jxy[b] - jxy[c] + jxy[a]
                let trace = sxx + syy
                guard trace > 1e-9 else { continue }
                let coherence = ((sxx - syy) * (sxx - syy) + 4 * sxy * sxy).squareRoot() / trace
                // √energy: edges count more than flat noise, without the darkest nuclear rims taking over.
                HistoBinning.addSoft(Float(coherence) * scale, to: &hist, weight: Float(trace.squareRoot()))
            }
        }
        return hist
    }
}
