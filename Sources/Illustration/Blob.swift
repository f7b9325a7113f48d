import Foundation

/// A closed star-shaped outline: a radius for each direction around a centre. Glands, ducts,
/// nests, lakes and germinal centres are blobs with different sizes and irregularity.
struct Blob {
    static let samples = 96

    var center: SIMD2<Float>
    /// `samples` radii, evenly spaced from angle −π.
    var radii: [Float]
    var maxRadius: Float

    init(center: SIMD2<Float>, radii: [Float]) {
        self.center = center
        self.radii = radii
        maxRadius = radii.max() ?? 0
    }

    /// An ellipse of mean radius `radius`, elongated `aspect` times along `angle`, with random
    /// low-frequency bulges (`irregularity` as a fraction of the radius).
    init(
        center: SIMD2<Float>, radius: Float, aspect: Float = 1, angle: Float = 0, irregularity: Float = 0,
        rng: inout SplitMix64
    ) {
        let a = radius * aspect.squareRoot(), b = radius / aspect.squareRoot()
        var harmonics: [(k: Float, amp: Float, phase: Float)] = []
        for k in 2...6 {
            harmonics.append((Float(k), irregularity * rng.uniform(0.3, 1) / Float(k - 1).squareRoot(), rng.angle()))
        }
        var radii = [Float](repeating: 0, count: Self.samples)
        for i in 0..<Self.samples {
            let theta = -Float.pi + 2 * .pi * Float(i) / Float(Self.samples)
            let c = cosf(theta - angle), s = sinf(theta - angle)
            var r = 1 / ((c / a) * (c / a) + (s / b) * (s / b)).squareRoot()
            var bulge: Float = 0
            for h in harmonics { bulge += h.amp * cosf(h.k * theta + h.phase) }
            r *= max(0.35, 1 + bulge)
            radii[i] = r
        }
        self.init(center: center, radii: radii)
    }

    @inline(__always)
    func radius(at theta: Float) -> Float {
        let t = (theta + .pi) / (2 * .pi) * Float(Self.samples)
        let f = t.rounded(.down)
        let i = Int(f) % Self.samples
        let j = (i + 1) % Self.samples
        let w = t - f
        return radii[i] * (1 - w) + radii[j] * w
    }

    func contains(_ p: SIMD2<Float>, inset: Float = 0) -> Bool {
        let d = p - center
        let rho = (d * d).sum().squareRoot()
        return rho < radius(at: atan2f(d.y, d.x)) - inset
    }

    /// The point at angle `theta`, `inset` pixels inside the outline.
    func point(at theta: Float, inset: Float = 0) -> SIMD2<Float> {
        let r = max(radius(at: theta) - inset, 0)
        return center + SIMD2(cosf(theta), sinf(theta)) * r
    }

    /// The same outline with every radius changed by `transform`.
    func mapRadii(_ transform: (Float, Float) -> Float) -> Blob {
        var out = radii
        for i in 0..<Self.samples {
            let theta = -Float.pi + 2 * .pi * Float(i) / Float(Self.samples)
            out[i] = max(0, transform(radii[i], theta))
        }
        return Blob(center: center, radii: out)
    }

    /// Approximate perimeter, for spacing cells along the outline.
    func perimeter(inset: Float = 0) -> Float {
        let mean = radii.reduce(0, +) / Float(Self.samples)
        return 2 * .pi * max(mean - inset, 0)
    }
}
