import Foundation

/// Connected regions of a thresholded channel (nuclei in haematoxylin, lumen and fat in low density), summarised
/// as area-weighted histograms of region size (log₂ scale) and of elongation: lymphocytes are many small round
/// blobs, tumour nuclei larger and crowded, stromal and muscle nuclei long and thin, fat one large empty region.
struct HistoBlobs: Sendable {
    static let sizeBins = 10
    static let elongationBins = 4
    static let minimumArea = 6
    let threshold: Float
    /// True: regions above the threshold; false: below.
    let above: Bool

    struct Result {
        /// Share of mask pixels in regions of area [2^(2k)…2^(2k+2)) roughly: log₂(area)/1.5, soft-binned.
        var size: [Float]
        var elongation: [Float]
        /// Share of the tile in the mask.
        var coverage: Float
        /// Regions of at least `minimumArea` pixels (nuclei, not specks).
        var count: Int
    }

    func measure(_ plane: HistoPlane) -> Result {
        let w = plane.width, h = plane.height, n = w * h
        var size = [Float](repeating: 0, count: Self.sizeBins)
        var elong = [Float](repeating: 0, count: Self.elongationBins)
        guard n > 0 else { return Result(size: size, elongation: elong, coverage: 0, count: 0) }
        var mask = [Bool](repeating: false, count: n)
        var covered = 0
        for i in 0..<n where (plane.values[i] > threshold) == above {
            mask[i] = true
            covered += 1
        }
        var regions = 0
        var stack: [Int] = []
        stack.reserveCapacity(256)
        for seed in 0..<n where mask[seed] {
            mask[seed] = false
            stack.append(seed)
            var area = 0
            var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
            while let p = stack.popLast() {
                let x = p % w, y = p / w
                area += 1
                let fx = Double(x), fy = Double(y)
                sx += fx; sy += fy; sxx += fx * fx; syy += fy * fy; sxy += fx * fy
                if x > 0, mask[p - 1] { mask[p - 1] = false; stack.append(p - 1) }
                if x + 1 < w, mask[p + 1] { mask[p + 1] = false; stack.append(p + 1) }
                if y > 0, mask[p - w] { mask[p - w] = false; stack.append(p - w) }
                if y + 1 < h, mask[p + w] { mask[p + w] = false; stack.append(p + w) }
            }
            let a = Double(area)
            let t = Float(log2(a) / 1.5)
            HistoBinning.addSoft(min(t, Float(Self.sizeBins - 1)), to: &size, weight: Float(a))
            if area >= Self.minimumArea {
                regions += 1
                // Elongation from the second moments: √(λ₁/λ₂) of the region's covariance.
                let cxx = sxx / a - (sx / a) * (sx / a) + 1.0 / 12, cyy = syy / a - (sy / a) * (sy / a) + 1.0 / 12
                let cxy = sxy / a - (sx / a) * (sy / a)
                let tr = cxx + cyy, det = cxx * cyy - cxy * cxy
                let disc = max(tr * tr / 4 - det, 0).squareRoot()
                let ratio = ((tr / 2 + disc) / max(tr / 2 - disc, 1e-6)).squareRoot()
                HistoBinning.addSoft(Float(min(log2(ratio) / 0.6, Double(Self.elongationBins - 1))), to: &elong, weight: Float(a))
            }
        }
        return Result(size: size, elongation: elong, coverage: Float(covered) / Float(n), count: regions)
    }
}
