import Foundation

/// Paints tissue into a `StainCanvas`: nuclei, cells, stroma, glands, necrosis, mucin, blood.
/// Lengths are given for a 256-pixel field (about 1 µm per pixel) and scaled by `s`, so a
/// 224- or 512-pixel render shows the same tissue at another resolution.
struct TissuePainter {
    var canvas: StainCanvas
    var rng: SplitMix64
    /// Pixels per base unit.
    let s: Float
    let width: Float
    let height: Float

    init(width: Int, height: Int, seed: UInt64) {
        rng = SplitMix64(seed: seed)
        canvas = StainCanvas(width: width, height: height, grainSeed: UInt32(truncatingIfNeeded: seed >> 17))
        s = Float(min(width, height)) / 256
        self.width = Float(width)
        self.height = Float(height)
    }

    var center: SIMD2<Float> { SIMD2(width / 2, height / 2) }

    mutating func noiseSeed() -> UInt32 { UInt32(truncatingIfNeeded: rng.next()) }

    /// A point anywhere in the field, `margin` pixels beyond the edges allowed (negative keeps inside).
    mutating func anywhere(margin: Float = 0) -> SIMD2<Float> {
        SIMD2(rng.uniform(-margin, width + margin), rng.uniform(-margin, height + margin))
    }

    /// Points of a jittered hexagonal lattice covering the field and a margin around it.
    mutating func hexGrid(spacing: Float, jitter: Float, margin: Float = 0) -> [SIMD2<Float>] {
        var points: [SIMD2<Float>] = []
        let rowHeight = spacing * 0.866
        let offset = SIMD2(rng.uniform(0, spacing), rng.uniform(0, rowHeight))
        var row = 0
        var y = -margin - rowHeight + offset.y
        while y < height + margin + rowHeight {
            var x = -margin - spacing + offset.x + (row % 2 == 0 ? 0 : spacing / 2)
            while x < width + margin + spacing {
                points.append(SIMD2(x + rng.normal() * jitter, y + rng.normal() * jitter))
                x += spacing
            }
            y += rowHeight
            row += 1
        }
        return points
    }

    /// Up to `count` random points at least `minDistance` apart (dart throwing).
    mutating func scatter(count: Int, minDistance: Float, margin: Float = 0, attempts: Int = 40) -> [SIMD2<Float>] {
        var points: [SIMD2<Float>] = []
        var tries = 0
        while points.count < count && tries < count * attempts {
            tries += 1
            let p = anywhere(margin: margin)
            if points.allSatisfy({ distance($0, p) >= minDistance }) { points.append(p) }
        }
        return points
    }

    /// A gently meandering path of `length` pixels from `start` heading along `angle`.
    mutating func wavyPath(
        from start: SIMD2<Float>, angle: Float, length: Float, amplitude: Float, wavelength: Float, step: Float = 3
    ) -> [SIMD2<Float>] {
        let dir = SIMD2(cosf(angle), sinf(angle))
        let normal = SIMD2(-dir.y, dir.x)
        let phase = rng.angle()
        let drift = rng.normal() * 0.15
        var points: [SIMD2<Float>] = []
        var t: Float = 0
        while t <= length {
            let bend = amplitude * sinf(2 * .pi * t / wavelength + phase) + drift * t * t / max(length, 1)
            points.append(start + dir * t + normal * bend)
            t += step * s
        }
        return points
    }

    // MARK: Cells

    /// How a nucleus looks: size, shape, hyperchromasia, chromatin and nucleolus.
    struct NucleusLook {
        var radius: Float
        var elongation: Float = 1
        var darkness: Float = 1
        /// Random variation of size, shape and staining, as a fraction.
        var pleomorphism: Float = 0.08
        /// Open chromatin with a dark rim.
        var vesicular = false
        var nucleolus = false
        var grain: Float = 0.25
    }

    /// `angle` is the long axis.
    mutating func nucleus(_ look: NucleusLook, at p: SIMD2<Float>, angle: Float) {
        let vary = look.pleomorphism
        let r = look.radius * max(0.5, 1 + vary * rng.normal())
        let elong = look.elongation * max(0.7, 1 + 0.4 * vary * rng.normal())
        let dark = look.darkness * max(0.6, 1 + 0.5 * vary * rng.normal())
        let rx = r * elong.squareRoot(), ry = r / elong.squareRoot()
        canvas.ellipse(p, rx: rx, ry: ry, angle: angle, h: 1.25 * dark, e: 0.12, soft: 0.7, grain: look.grain)
        if look.vesicular {
            canvas.ellipse(
                p, rx: rx * 0.68, ry: ry * 0.68, angle: angle, h: 0.7 * dark, e: 0.1, alpha: 0.85, soft: 1.2,
                grain: look.grain * 1.6)
        }
        if look.nucleolus {
            let offset = SIMD2(rng.normal(), rng.normal()) * r * 0.2
            let nr = max(0.8 * s, r * 0.22)
            canvas.ellipse(p + offset, rx: nr, ry: nr, h: 1.0 * dark, e: 1.1, soft: 0.6)
        }
    }

    mutating func lymphocyte(at p: SIMD2<Float>, darkness: Float = 1.55) {
        let look = NucleusLook(radius: 2.7 * s, darkness: darkness, pleomorphism: 0.08, grain: 0.18)
        nucleus(look, at: p, angle: rng.angle())
    }

    mutating func plasmaCell(at p: SIMD2<Float>) {
        let angle = rng.angle()
        canvas.ellipse(p, rx: 4.6 * s, ry: 3.4 * s, angle: angle, h: 0.35, e: 0.55, soft: 1)
        let offset = SIMD2(cosf(angle), sinf(angle)) * 1.6 * s
        nucleus(NucleusLook(radius: 2.3 * s, darkness: 1.4, grain: 0.35), at: p + offset, angle: angle)
    }

    mutating func spindleCell(at p: SIMD2<Float>, angle: Float, length: Float = 1, darkness: Float = 1.2) {
        let look = NucleusLook(radius: 1.7 * s * length, elongation: 4.5, darkness: darkness, grain: 0.15)
        nucleus(look, at: p, angle: angle)
    }

    mutating func erythrocyte(at p: SIMD2<Float>, radius: Float? = nil) {
        let r = radius ?? 3.6 * s * rng.uniform(0.9, 1.1)
        let squash = rng.uniform(0.8, 1)
        let angle = rng.angle()
        canvas.ellipse(p, rx: r, ry: r * squash, angle: angle, h: 0.03, e: 1.35, soft: 0.8, grain: 0.05)
        // Central pallor of the biconcave disc.
        canvas.ellipse(p, rx: r * 0.45, ry: r * 0.45 * squash, angle: angle, h: 0.02, e: 0.85, alpha: 0.8, soft: 1.2)
    }

    /// Tiny dark fragments of broken nuclei (karyorrhexis), in clusters.
    mutating func nuclearDust(at p: SIMD2<Float>, spread: Float) {
        for _ in 0..<rng.int(3..<8) {
            let q = p + SIMD2(rng.normal(), rng.normal()) * spread
            let r = rng.uniform(0.6, 1.5) * s
            canvas.ellipse(q, rx: r, ry: r, h: 1.7, e: 0.2, soft: 0.5)
        }
    }

    // MARK: Tissue

    /// Collagenous stroma: eosin with fibrillar texture along `angle`, wavy fibres, pale clefts
    /// and sparse spindle nuclei. `density` is the eosin of the collagen (0.3 loose … 0.9 dense).
    mutating func stroma(
        density: Float, angle: Float, wavy: Float = 4, fibres: Int = 30, cells: Int = 12, basophilia: Float = 0.04
    ) {
        canvas.fill(h: basophilia, e: density * 0.7)
        let field = PixelNoise.field(
            width: canvas.width, height: canvas.height, cell: 7 * s, stretch: 5, angle: angle, octaves: 3,
            seed: noiseSeed())
        canvas.add(field: field.map { $0 - 0.5 }, h: 0, e: density * 0.8)
        for i in 0..<fibres {
            let a = angle + rng.normal() * 0.25
            let start = anywhere(margin: 40 * s) - SIMD2(cosf(a), sinf(a)) * 60 * s
            let path = wavyPath(
                from: start, angle: a, length: rng.uniform(80, 220) * s, amplitude: wavy * s * rng.uniform(0.5, 1.5),
                wavelength: rng.uniform(25, 45) * s)
            if i % 3 == 0 {
                canvas.polyline(path, width: rng.uniform(0.8, 1.6) * s, h: basophilia * 0.5, e: density * 0.45, alpha: 0.4, soft: 1)
            } else {
                canvas.polyline(
                    path, width: rng.uniform(1.5, 3.5) * s, h: basophilia, e: density * 1.1, alpha: 0.4, soft: 1.2, grain: 0.1)
            }
        }
        for _ in 0..<cells {
            spindleCell(at: anywhere(), angle: angle + rng.normal() * 0.25, length: rng.uniform(0.8, 1.2))
        }
    }

    /// Scattered lymphocytes and plasma cells where `allowed` says.
    mutating func inflammatoryCells(count: Int, allowed: (SIMD2<Float>) -> Bool = { _ in true }) {
        for _ in 0..<count {
            let p = anywhere()
            guard allowed(p) else { continue }
            if rng.chance(0.35) { plasmaCell(at: p) } else { lymphocyte(at: p) }
        }
    }

    /// Necrotic material inside `region`: granular pink-purple debris, ghost cells and nuclear dust.
    mutating func necrosis(in region: Blob, inset: Float = 0, dustClusters: Int) {
        canvas.blob(region, inset: inset, h: 0.22, e: 0.8, soft: 1.5, grain: 0.22)
        let reach = region.maxRadius
        var placed = 0
        var tries = 0
        while placed < dustClusters + dustClusters / 2 && tries < 20 * (dustClusters + 4) {
            tries += 1
            let p = region.center + SIMD2(rng.uniform(-reach, reach), rng.uniform(-reach, reach))
            guard region.contains(p, inset: inset + 2 * s) else { continue }
            placed += 1
            if placed % 3 == 0 {
                let r = rng.uniform(3.5, 5.5) * s
                canvas.ellipse(p, rx: r, ry: r * 0.8, angle: rng.angle(), h: 0.45, e: 0.9, alpha: 0.45, soft: 1.5)
            } else {
                nuclearDust(at: p, spread: 2.2 * s)
            }
        }
    }

    /// A pale blue-grey pool of mucin with wispy strands.
    mutating func mucinPool(in region: Blob, inset: Float = 0) {
        canvas.blob(region, inset: inset, h: 0.26, e: 0.05, soft: 2, grain: 0.15)
        let reach = region.maxRadius
        let strands = Int(reach * reach / (90 * s * s)) + 4
        for _ in 0..<strands {
            let p = region.center + SIMD2(rng.uniform(-reach, reach), rng.uniform(-reach, reach))
            guard region.contains(p, inset: inset + 4 * s) else { continue }
            let path = wavyPath(
                from: p, angle: rng.angle(), length: rng.uniform(15, 45) * s, amplitude: 3 * s, wavelength: 20 * s,
                step: 2)
            let inside = path.filter { region.contains($0, inset: inset + 2 * s) }
            canvas.polyline(inside, width: rng.uniform(0.8, 2) * s, h: 0.48, e: 0.1, alpha: 0.5, soft: 1.2)
        }
    }
}

@inline(__always)
func distance(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Float {
    let d = a - b
    return (d * d).sum().squareRoot()
}
