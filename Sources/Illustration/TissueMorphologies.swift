import Foundation

/// Single-tissue fields: fat, muscle, collagen, necrosis, mucin, blood, empty glass.
extension TissuePainter {
    mutating func adipose() {
        canvas.fill(h: 0, e: 0)
        let cells = hexGrid(spacing: 64 * s, jitter: 11 * s, margin: 70 * s)
        voronoiMembranes(cells, thickness: 1.5 * s)
        // A few flattened nuclei on the membranes.
        for _ in 0..<rng.int(4..<9) {
            guard let (a, b) = neighbourPair(cells) else { break }
            let mid = (a + b) / 2
            let d = b - a
            nucleus(
                NucleusLook(radius: 1.8 * s, elongation: 3.5, darkness: 1.1), at: mid,
                angle: atan2f(d.y, d.x) + .pi / 2)
        }
        // A capillary with a few red cells at a junction.
        if let (a, b) = neighbourPair(cells) {
            let p = (a + b) / 2
            for _ in 0..<3 { erythrocyte(at: p + SIMD2(rng.normal(), rng.normal()) * 1.5 * s, radius: 2.6 * s) }
        }
    }

    mutating func neighbourPair(_ cells: [SIMD2<Float>]) -> (SIMD2<Float>, SIMD2<Float>)? {
        let visible = cells.filter { $0.x > 0 && $0.y > 0 && $0.x < width && $0.y < height }
        guard let a = visible.randomElement(using: &rng) else { return nil }
        let others = cells.filter { $0 != a }.sorted { distance($0, a) < distance($1, a) }
        guard let b = others.prefix(3).randomElement(using: &rng) else { return nil }
        return (a, b)
    }

    /// Fat: a Voronoi partition whose cells are empty and whose borders (pixels nearly equidistant
    /// from their two nearest sites) are thin pink membranes; inside `region` only, when given.
    mutating func voronoiMembranes(_ sites: [SIMD2<Float>], thickness: Float, region: Blob? = nil) {
        let w = canvas.width, h = canvas.height
        // Bucket the sites so each pixel looks only at nearby ones.
        let bucket = max(8, Int(64 * s))
        let bw = w / bucket + 1, bh = h / bucket + 1
        var buckets = [[SIMD2<Float>]](repeating: [], count: bw * bh)
        for p in sites {
            let bx = min(max(Int(p.x) / bucket, 0), bw - 1), by = min(max(Int(p.y) / bucket, 0), bh - 1)
            buckets[by * bw + bx].append(p)
        }
        let seed = noiseSeed()
        canvas.conc.withUnsafeMutableBufferPointer { c in
            for y in 0..<h {
                for x in 0..<w {
                    let q = SIMD2(Float(x) + 0.5, Float(y) + 0.5)
                    var d1 = Float.infinity, d2 = Float.infinity
                    let bx = x / bucket, by = y / bucket
                    for yy in max(by - 2, 0)...min(by + 2, bh - 1) {
                        for xx in max(bx - 2, 0)...min(bx + 2, bw - 1) {
                            for p in buckets[yy * bw + xx] {
                                let d = distance(p, q)
                                if d < d1 {
                                    d2 = d1
                                    d1 = d
                                } else if d < d2 {
                                    d2 = d
                                }
                            }
                        }
                    }
                    // (d2 − d1)/2 is the distance to the border between the two nearest cells.
                    let edge = (d2 - d1) / 2
                    let a = min(max((thickness / 2 - edge) / 0.8 + 0.5, 0), 1)
                    var cover: Float = 1
                    if let region {
                        let d = q - region.center
                        let rho = (d * d).sum().squareRoot()
                        cover = min(max((region.radius(at: atan2f(d.y, d.x)) - rho) / 1.5 + 0.5, 0), 1)
                        if cover <= 0 { continue }
                    } else if a <= 0 {
                        continue
                    }
                    let g = 1 + 0.2 * PixelNoise.signed(x, y, seed)
                    let i = 2 * (y * w + x)
                    let target = SIMD2<Float>(0.08 * g, 0.75 * g) * a
                    c[i] += cover * (target.x - c[i])
                    c[i + 1] += cover * (target.y - c[i + 1])
                }
            }
        }
    }

    mutating func smoothMuscle() {
        let base = rng.angle()
        canvas.fill(h: 0.06, e: 0.75)
        let field = PixelNoise.field(
            width: canvas.width, height: canvas.height, cell: 4 * s, stretch: 8, angle: base, octaves: 2,
            seed: noiseSeed())
        canvas.add(field: field.map { $0 - 0.5 }, h: 0.02, e: 0.5)
        // Fascicles: bands cut along (cigar nuclei) and one cut across (round nuclei with halos).
        let normal = SIMD2(-sinf(base), cosf(base))
        let across = rng.int(0..<3)
        for band in 0..<3 {
            let offset = (Float(band) - 1) * 85 * s + rng.normal() * 6 * s
            let bandCentre = center + normal * offset
            if band > 0 {
                let cleft = center + normal * (offset - 42.5 * s)
                let dir = SIMD2(cosf(base), sinf(base))
                canvas.segment(cleft - dir * 300 * s, cleft + dir * 300 * s, width: 2 * s, h: 0.02, e: 0.3, alpha: 0.6, soft: 1.5)
            }
            for _ in 0..<60 {
                let p = bandCentre + SIMD2(cosf(base), sinf(base)) * rng.uniform(-190, 190) * s
                    + normal * rng.uniform(-38, 38) * s
                if band == across {
                    canvas.ellipse(p, rx: 3.2 * s, ry: 3.2 * s, h: 0.02, e: 0.35, alpha: 0.6, soft: 1)
                    nucleus(NucleusLook(radius: 2.1 * s, darkness: 1.15), at: p, angle: 0)
                } else {
                    let a = base + rng.normal() * 0.08
                    let dir = SIMD2(cosf(a), sinf(a))
                    // Perinuclear clear vacuole at one pole, then the blunt-ended cigar nucleus.
                    canvas.ellipse(p + dir * 7.5 * s, rx: 2.2 * s, ry: 1.5 * s, angle: a, h: 0.02, e: 0.35, alpha: 0.6, soft: 1)
                    nucleus(
                        NucleusLook(radius: 2.9 * s, elongation: 5, darkness: 1.2, pleomorphism: 0.1), at: p, angle: a)
                }
            }
        }
    }

    mutating func fibrousStroma() {
        stroma(density: 0.95, angle: rng.angle(), wavy: 7, fibres: 70, cells: 9)
    }

    mutating func necrosisField() {
        canvas.fill(h: 0.06, e: 0.35)
        let field = PixelNoise.field(
            width: canvas.width, height: canvas.height, cell: 18 * s, octaves: 3, seed: noiseSeed())
        let all = Blob(center: center, radius: max(width, height) * 0.75, rng: &rng)
        necrosis(in: all, dustClusters: 110)
        // Dirty, mottled: basophilic smudges where nuclear material has spilled.
        canvas.add(field: field.map { $0 - 0.45 }, h: 0.45, e: 0.5)
        for _ in 0..<40 {
            // Ghost cells: the outline of a dead cell with a faint nuclear shadow.
            let p = anywhere()
            let r = rng.uniform(5, 7) * s
            canvas.ellipse(p, rx: r, ry: r * 0.85, angle: rng.angle(), h: 0.15, e: 1.05, alpha: 0.5, soft: 1.2)
            canvas.ellipse(p, rx: r * 0.45, ry: r * 0.4, angle: rng.angle(), h: 0.5, e: 0.7, alpha: 0.5, soft: 1.2)
        }
        for _ in 0..<5 { erythrocyte(at: anywhere()) }
        // Pale lysed patches.
        for _ in 0..<rng.int(2..<5) {
            canvas.ellipse(anywhere(), rx: rng.uniform(10, 25) * s, ry: rng.uniform(6, 15) * s, angle: rng.angle(),
                           h: 0.05, e: 0.2, alpha: 0.6, soft: 6)
        }
    }

    mutating func mucinField() {
        canvas.fill(h: 0, e: 0)
        let pool = Blob(center: center, radius: max(width, height) * 0.8, irregularity: 0.1, rng: &rng)
        mucinPool(in: pool)
        let field = PixelNoise.field(
            width: canvas.width, height: canvas.height, cell: 12 * s, stretch: 3, angle: rng.angle(), octaves: 3,
            seed: noiseSeed())
        canvas.add(field: field.map { $0 - 0.4 }, h: 0.22, e: 0.06)
        // A few floating macrophages and a small detached strip.
        for _ in 0..<rng.int(3..<7) {
            let p = anywhere()
            canvas.ellipse(p, rx: 6 * s, ry: 5 * s, angle: rng.angle(), h: 0.12, e: 0.3, soft: 1.5, grain: 0.3)
            nucleus(NucleusLook(radius: 2.4 * s, elongation: 1.5, darkness: 1.1), at: p, angle: rng.angle())
        }
    }

    mutating func bloodField() {
        canvas.fill(h: 0.02, e: 0.45)
        let count = Int(width * height / (24 * s * s))
        for _ in 0..<count { erythrocyte(at: anywhere(margin: 4 * s)) }
        // An occasional neutrophil (lobed nucleus) or lymphocyte.
        for _ in 0..<rng.int(1..<4) {
            let p = anywhere()
            canvas.ellipse(p, rx: 5.5 * s, ry: 5.5 * s, h: 0.06, e: 0.3, soft: 1)
            for _ in 0..<3 {
                let q = p + SIMD2(rng.normal(), rng.normal()) * 1.8 * s
                canvas.ellipse(q, rx: 1.6 * s, ry: 1.6 * s, h: 1.5, e: 0.15, soft: 0.6)
            }
        }
    }

    mutating func emptyGlass() {
        canvas.fill(h: 0, e: 0)
        let field = PixelNoise.field(
            width: canvas.width, height: canvas.height, cell: 40 * s, octaves: 2, seed: noiseSeed())
        canvas.add(field: field, h: 0.006, e: 0.012)
        if rng.chance(0.3) {
            let r = rng.uniform(1, 3) * s
            canvas.ellipse(anywhere(), rx: r, ry: r * 0.7, angle: rng.angle(), h: 0.3, e: 0.2, soft: 1)
        }
    }
}
