import Foundation
import Imaging

/// Haematoxylin and eosin concentration fields that tissue is painted into, and their
/// Beer–Lambert composition into an RGB image. Every primitive rasterises over its own bounding
/// box with a soft edge, so a render costs a few passes over the image at most.
struct StainCanvas {
    let width: Int
    let height: Int
    /// Interleaved concentrations: `conc[2 * i]` haematoxylin, `conc[2 * i + 1]` eosin.
    var conc: [Float]
    /// Seeds the per-pixel grain (chromatin, granularity, scanner noise).
    let grainSeed: UInt32

    init(width: Int, height: Int, grainSeed: UInt32) {
        self.width = width
        self.height = height
        self.grainSeed = grainSeed
        conc = [Float](repeating: 0, count: width * height * 2)
    }

    mutating func fill(h: Float, e: Float) {
        for i in 0..<(width * height) {
            conc[2 * i] = h
            conc[2 * i + 1] = e
        }
    }

    /// Adds `field · (h, e)` everywhere (field values typically 0…1).
    mutating func add(field: [Float], h: Float, e: Float) {
        conc.withUnsafeMutableBufferPointer { c in
            for i in 0..<(width * height) {
                c[2 * i] = max(0, c[2 * i] + field[i] * h)
                c[2 * i + 1] = max(0, c[2 * i + 1] + field[i] * e)
            }
        }
    }

    /// Paints over the pixels of a region given its coverage (0…1) per pixel inside a box.
    /// `grain` scales per-pixel white noise on the painted concentrations (chromatin, granularity).
    @inline(__always)
    private mutating func blend(
        box: (x0: Int, y0: Int, x1: Int, y1: Int), h: Float, e: Float, grain: Float,
        coverage: (Float, Float) -> Float
    ) {
        let x0 = max(0, box.x0), y0 = max(0, box.y0)
        let x1 = min(width - 1, box.x1), y1 = min(height - 1, box.y1)
        guard x0 <= x1, y0 <= y1 else { return }
        let seed = grainSeed
        conc.withUnsafeMutableBufferPointer { c in
            for y in y0...y1 {
                for x in x0...x1 {
                    let a = coverage(Float(x) + 0.5, Float(y) + 0.5)
                    if a <= 0 { continue }
                    let g = grain == 0 ? 1 : 1 + grain * PixelNoise.signed(x, y, seed)
                    let i = 2 * (y * width + x)
                    c[i] += a * (h * g - c[i])
                    c[i + 1] += a * (e * g - c[i + 1])
                }
            }
        }
    }

    /// A filled ellipse with semi-axes `rx` (along `angle`) and `ry`, edge softened over `soft` pixels.
    mutating func ellipse(
        _ center: SIMD2<Float>, rx: Float, ry: Float, angle: Float = 0, h: Float, e: Float, alpha: Float = 1,
        soft: Float = 0.8, grain: Float = 0
    ) {
        let c = cosf(angle), s = sinf(angle)
        let reach = max(rx, ry) + soft
        let box = (
            Int((center.x - reach).rounded(.down)), Int((center.y - reach).rounded(.down)),
            Int((center.x + reach).rounded(.up)), Int((center.y + reach).rounded(.up))
        )
        let minR = max(min(rx, ry), 0.3)
        blend(box: box, h: h, e: e, grain: grain) { px, py in
            let dx = px - center.x, dy = py - center.y
            let u = (dx * c + dy * s) / rx
            let v = (-dx * s + dy * c) / ry
            let d = (u * u + v * v).squareRoot()
            // Distance to the edge in pixels, approximately, turned into a soft coverage.
            let inside = (1 - d) * minR / soft + 0.5
            return min(max(inside, 0), 1) * alpha
        }
    }

    /// A thick segment with round caps.
    mutating func segment(
        _ a: SIMD2<Float>, _ b: SIMD2<Float>, width w: Float, h: Float, e: Float, alpha: Float = 1, soft: Float = 0.8,
        grain: Float = 0
    ) {
        let r = w / 2
        let reach = r + soft
        let box = (
            Int((min(a.x, b.x) - reach).rounded(.down)), Int((min(a.y, b.y) - reach).rounded(.down)),
            Int((max(a.x, b.x) + reach).rounded(.up)), Int((max(a.y, b.y) + reach).rounded(.up))
        )
        let ab = b - a
        let len2 = max((ab * ab).sum(), 1e-6)
        blend(box: box, h: h, e: e, grain: grain) { px, py in
            let ap = SIMD2(px, py) - a
            let t = min(max((ap * ab).sum() / len2, 0), 1)
            let q = ap - ab * t
            let d = (q * q).sum().squareRoot()
            return min(max((r - d) / soft + 0.5, 0), 1) * alpha
        }
    }

    mutating func polyline(
        _ points: [SIMD2<Float>], width w: Float, h: Float, e: Float, alpha: Float = 1, soft: Float = 0.8,
        grain: Float = 0
    ) {
        guard points.count > 1 else { return }
        for i in 1..<points.count {
            segment(points[i - 1], points[i], width: w, h: h, e: e, alpha: alpha, soft: soft, grain: grain)
        }
    }

    /// A closed irregular shape, optionally shrunk by `inset` pixels.
    mutating func blob(
        _ shape: Blob, inset: Float = 0, h: Float, e: Float, alpha: Float = 1, soft: Float = 1, grain: Float = 0
    ) {
        let reach = shape.maxRadius - inset + soft
        guard reach > 0 else { return }
        let cx = shape.center.x, cy = shape.center.y
        let box = (
            Int((cx - reach).rounded(.down)), Int((cy - reach).rounded(.down)),
            Int((cx + reach).rounded(.up)), Int((cy + reach).rounded(.up))
        )
        blend(box: box, h: h, e: e, grain: grain) { px, py in
            let dx = px - cx, dy = py - cy
            let rho = (dx * dx + dy * dy).squareRoot()
            let edge = shape.radius(at: atan2f(dy, dx)) - inset
            return min(max((edge - rho) / soft + 0.5, 0), 1) * alpha
        }
    }

    /// Beer–Lambert: I = background · exp(−OD), OD = H·cH·sH + E·cE·sE, plus scanner grain.
    func compose(style: StainStyle) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let hv = style.haematoxylin * style.haematoxylinStrength
        let ev = style.eosin * style.eosinStrength
        let bg = style.background
        let seed = grainSeed &+ 0x51_7CC1
        conc.withUnsafeBufferPointer { c in
            pixels.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    for x in 0..<width {
                        let i = y * width + x
                        let od = hv * c[2 * i] + ev * c[2 * i + 1]
                        let n = style.noise * PixelNoise.signed(x, y, seed)
                        let r = bg.x * expf(-od.x) + n
                        let g = bg.y * expf(-od.y) + n
                        let b = bg.z * expf(-od.z) + n
                        out[3 * i] = UInt8(min(max(r.rounded(), 0), 255))
                        out[3 * i + 1] = UInt8(min(max(g.rounded(), 0), 255))
                        out[3 * i + 2] = UInt8(min(max(b.rounded(), 0), 255))
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
