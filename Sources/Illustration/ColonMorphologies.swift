import Foundation

/// Colonic mucosa and its lesions, crypts cut across at about 10×.
extension TissuePainter {
    /// Loose pink lamina propria with scattered lymphocytes and plasma cells.
    mutating func laminaPropria(cells: Int) {
        canvas.fill(h: 0.07, e: 0.26)
        let field = PixelNoise.field(
            width: canvas.width, height: canvas.height, cell: 9 * s, stretch: 1.5, angle: rng.angle(), octaves: 3,
            seed: noiseSeed())
        canvas.add(field: field.map { $0 - 0.5 }, h: 0.05, e: 0.3)
        inflammatoryCells(count: cells)
    }

    mutating func colonNormal() {
        laminaPropria(cells: 160)
        for p in hexGrid(spacing: 62 * s, jitter: 4 * s, margin: 20 * s) {
            let outline = Blob(
                center: p, radius: rng.uniform(23, 26) * s, aspect: rng.uniform(1, 1.15), angle: rng.angle(),
                irregularity: 0.04, rng: &rng)
            let look = GlandLook(
                epithelium: 13 * s, cytoplasmH: 0.06, cytoplasmE: 0.36,
                nucleus: NucleusLook(radius: 2.0 * s, elongation: 1.8, darkness: 1.1), spacing: 4.6 * s,
                basalDepth: 2.6 * s, goblet: 0.6)
            gland(outline, look)
        }
    }

    mutating func colonHyperplasticPolyp() {
        laminaPropria(cells: 110)
        for p in hexGrid(spacing: 66 * s, jitter: 5 * s, margin: 20 * s) {
            let outline = Blob(
                center: p, radius: rng.uniform(26, 30) * s, aspect: rng.uniform(1, 1.2), angle: rng.angle(),
                irregularity: 0.06, rng: &rng)
            let look = GlandLook(
                epithelium: 13 * s, cytoplasmH: 0.05, cytoplasmE: 0.58,
                nucleus: NucleusLook(radius: 1.9 * s, elongation: 1.7, darkness: 1.05), spacing: 4.4 * s,
                basalDepth: 2.5 * s, goblet: 0.25, serration: 6.5 * s, serrationTeeth: rng.int(7..<10))
            gland(outline, look)
        }
    }

    /// Crypts cut along their length, running down from the surface (top) and turning sideways
    /// at the base: the dilated, L- and boot-shaped bases of a sessile serrated lesion.
    mutating func colonSessileSerratedLesion() {
        laminaPropria(cells: 120)
        let count = 3
        let pitch = width / Float(count)
        let look = GlandLook(
            epithelium: 10 * s, cytoplasmH: 0.06, cytoplasmE: 0.5,
            nucleus: NucleusLook(radius: 2.0 * s, elongation: 1.7, darkness: 1.15), spacing: 4.4 * s,
            basalDepth: 2.6 * s, goblet: 0.4)
        for i in 0..<count {
            let x = pitch * (Float(i) + rng.uniform(0.3, 0.5))
            let baseY = height * rng.uniform(0.68, 0.84)
            let shaft = [
                SIMD2(x + rng.normal() * 4 * s, -12 * s), SIMD2(x + rng.normal() * 6 * s, baseY * 0.5),
                SIMD2(x, baseY),
            ]
            let direction: Float = rng.chance(0.5) ? 1 : -1
            let reach = rng.uniform(40, 60) * s
            var pieces = [
                GlandPiece(path: shaft, halfWidth: rng.uniform(14, 17) * s),
                GlandPiece(
                    path: [SIMD2(x, baseY), SIMD2(x + direction * reach, baseY + rng.normal() * 6 * s)],
                    halfWidth: rng.uniform(19, 24) * s),
            ]
            if rng.chance(0.4) {
                // Inverted T: the base spreads both ways.
                pieces.append(
                    GlandPiece(
                        path: [SIMD2(x, baseY), SIMD2(x - direction * reach * 0.6, baseY + rng.normal() * 6 * s)],
                        halfWidth: rng.uniform(16, 20) * s))
            }
            tubularGland(pieces, look, tufts: true)
        }
    }

    mutating func colonTubularAdenoma() {
        laminaPropria(cells: 60)
        let angle = rng.angle()
        for p in hexGrid(spacing: 50 * s, jitter: 4 * s, margin: 20 * s) {
            let outline = Blob(
                center: p, radius: rng.uniform(21, 24) * s, aspect: rng.uniform(1.3, 1.7),
                angle: angle + rng.normal() * 0.3, irregularity: 0.06, rng: &rng)
            let look = GlandLook(
                epithelium: 14 * s, cytoplasmH: 0.2, cytoplasmE: 0.4,
                nucleus: NucleusLook(radius: 1.8 * s, elongation: 4.2, darkness: 1.65, pleomorphism: 0.1, grain: 0.2),
                spacing: 2.6 * s, basalDepth: 3.5 * s, stratification: 5 * s, goblet: 0.05)
            gland(outline, look)
        }
    }

    mutating func colonAdenocarcinoma() {
        stroma(density: 0.5, angle: rng.angle(), wavy: 3, fibres: 25, cells: 14, basophilia: 0.1)
        inflammatoryCells(count: 25)
        let tumourNucleus = NucleusLook(
            radius: 3.2 * s, elongation: 2.4, darkness: 1.45, pleomorphism: 0.3, nucleolus: true, grain: 0.3)
        // Back to back: centres closer than two radii, so glands touch and merge.
        for p in scatter(count: 12, minDistance: 44 * s, margin: 20 * s) {
            let outline = Blob(
                center: p, radius: rng.uniform(24, 38) * s, aspect: rng.uniform(1, 1.9), angle: rng.angle(),
                irregularity: 0.28, rng: &rng)
            if rng.chance(0.4) {
                let lumens = punchedLumens(in: outline, count: rng.int(2..<5), radius: 5 * s...9 * s)
                solidNest(
                    outline, cytoplasmH: 0.16, cytoplasmE: 0.5, nucleus: tumourNucleus, spacing: 8 * s, jitter: 1.8 * s,
                    lumens: lumens)
                for lumen in lumens { necrosis(in: lumen, inset: 1 * s, dustClusters: 2) }
            } else {
                let look = GlandLook(
                    epithelium: 13 * s, cytoplasmH: 0.16, cytoplasmE: 0.5, nucleus: tumourNucleus, spacing: 3.6 * s,
                    basalDepth: 3.5 * s, stratification: 5 * s, lumen: .necrosis)
                gland(outline, look)
            }
        }
    }

    /// Round lumens inside a nest, not overlapping one another.
    mutating func punchedLumens(in outline: Blob, count: Int, radius: ClosedRange<Float>) -> [Blob] {
        var lumens: [Blob] = []
        var tries = 0
        while lumens.count < count && tries < 60 {
            tries += 1
            let r = rng.uniform(radius.lowerBound, radius.upperBound)
            let reach = outline.maxRadius
            let p = outline.center + SIMD2(rng.uniform(-reach, reach), rng.uniform(-reach, reach))
            guard outline.contains(p, inset: r + 6 * s) else { continue }
            guard lumens.allSatisfy({ distance($0.center, p) > $0.maxRadius + r + 6 * s }) else { continue }
            lumens.append(Blob(center: p, radius: r, irregularity: 0.05, rng: &rng))
        }
        return lumens
    }

    mutating func colonMucinousAdenocarcinoma() {
        stroma(density: 0.55, angle: rng.angle(), wavy: 3, fibres: 20, cells: 10)
        let tumourNucleus = NucleusLook(
            radius: 3 * s, elongation: 1.5, darkness: 1.4, pleomorphism: 0.25, vesicular: true, nucleolus: true)
        for p in scatter(count: 3, minDistance: 110 * s, margin: -30 * s) {
            let lake = Blob(
                center: p, radius: rng.uniform(85, 115) * s, aspect: rng.uniform(1, 1.5), angle: rng.angle(),
                irregularity: 0.25, rng: &rng)
            mucinPool(in: lake)
            // Floating strips and small glands of tumour cells.
            for _ in 0..<rng.int(4..<8) {
                let q = lake.point(at: rng.uniform(-.pi, .pi), inset: rng.uniform(15 * s, 0.8 * lake.maxRadius))
                guard lake.contains(q, inset: 14 * s) else { continue }
                let outline = Blob(
                    center: q, radius: rng.uniform(9, 15) * s, aspect: rng.uniform(1.2, 2.5), angle: rng.angle(),
                    irregularity: 0.3, rng: &rng)
                let look = GlandLook(
                    epithelium: 8 * s, cytoplasmH: 0.14, cytoplasmE: 0.5, nucleus: tumourNucleus, spacing: 5.5 * s,
                    basalDepth: 3 * s, stratification: 2 * s, lumen: .mucin)
                gland(outline, look)
            }
        }
    }
}
