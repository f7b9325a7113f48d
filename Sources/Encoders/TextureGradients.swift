import Foundation

/// Gradient statistics of one channel: how much edge there is (a magnitude histogram on a square-root scale) and how
/// aligned the edges are (a magnitude-weighted orientation histogram sorted by size, so it does not depend on
/// which way the fibres run, plus the structure tensor's coherence).
struct TextureGradients: Sendable {
    static let magnitudeBins = 8
    static let orientationBins = 8
    /// Magnitudes are binned on √(m / ceiling); edges weaker than `knee` carry no orientation.
    let knee: Float
    let ceiling: Float

    struct Result {
        var magnitude: [Float]
        var orientation: [Float]
        var coherence: Float
    }

    func measure(_ plane: HistoPlane) -> Result {
        var mag = [Float](repeating: 0, count: Self.magnitudeBins)
        var ori = [Float](repeating: 0, count: Self.orientationBins)
        var sxx: Float = 0, syy: Float = 0, sxy: Float = 0
        let w = plane.width
        guard plane.width > 2, plane.height > 2 else {
            return Result(magnitude: mag, orientation: ori, coherence: 0)
        }
        let scale = Float(Self.magnitudeBins - 1) / ceiling.squareRoot()
        plane.values.withUnsafeBufferPointer { v in
            for y in 1..<(plane.height - 1) {
                for x in 1..<(w - 1) {
                    let i = y * w + x
                    let gx = 0.5 * (v[i + 1] - v[i - 1])
                    let gy = 0.5 * (v[i + w] - v[i - w])
                    let m2 = gx * gx + gy * gy
                    let m = m2.squareRoot()
                    HistoBinning.addSoft(m.squareRoot() * scale, to: &mag)
                    sxx += gx * gx
                    syy += gy * gy
                    sxy += gx * gy
                    if m > knee {
                        // Orientation modulo 180°, from the doubled angle.
                        let t = (atan2f(2 * gx * gy, gx * gx - gy * gy) + .pi) / (2 * .pi) * Float(Self.orientationBins)
                        ori[min(Int(t), Self.orientationBins - 1)] += m
                    }
                }
            }
        }
        ori.sort(by: >)
        let trace = sxx + syy
        let coherence = trace > 0 ? ((sxx - syy) * (sxx - syy) + 4 * sxy * sxy).squareRoot() / trace : 0
        return Result(magnitude: mag, orientation: ori, coherence: coherence)
    }
}

enum HistoBinning {
    /// Linear (soft) binning: a value between two bin centres is shared between them, so small shifts move
    /// the histogram a little instead of flipping a count from one bin to the next. `t` is in bin units.
    @inline(__always)
    static func addSoft(_ t: Float, to hist: inout [Float], weight: Float = 1) {
        let last = hist.count - 1
        let c = min(max(t, 0), Float(last))
        let i = min(Int(c), last)
        let f = c - Float(i)
        hist[i] += weight * (1 - f)
        if i < last { hist[i + 1] += weight * f }
    }
}
