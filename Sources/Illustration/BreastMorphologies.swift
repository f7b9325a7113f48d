import Foundation

/// Breast: lobules, ducts and their proliferations, in stroma, at about 10×.
extension TissuePainter {
    /// Small two-layered acini clustered in loose intralobular stroma.
    /// `gap` is the least stroma between neighbouring acini (distended acini nearly touch).
    mutating func lobule(
        _ region: Blob, acini: Int, acinusRadius: ClosedRange<Float>, fill: AcinusFill, gap: Float? = nil
    ) {
        let gap = gap ?? 3 * s
        canvas.blob(region, h: 0.1, e: 0.28, soft: 6, grain: 0.1)
        for _ in 0..<(acini / 4) {
            let p = region.point(at: rng.uniform(-.pi, .pi), inset: rng.uniform(0, region.maxRadius * 0.9))
            lymphocyte(at: p)
        }
        var centres: [SIMD2<Float>] = []
        var tries = 0
        while centres.count < acini && tries < acini * 40 {
            tries += 1
            let reach = region.maxRadius
            let p = region.center + SIMD2(rng.uniform(-reach, reach), rng.uniform(-reach, reach))
            guard region.contains(p, inset: acinusRadius.upperBound * 0.8) else { continue }
            guard centres.allSatisfy({ distance($0, p) > acinusRadius.upperBound * 2 + gap }) else { continue }
            centres.append(p)
        }
        for p in centres {
            let outline = Blob(
                center: p, radius: rng.uniform(acinusRadius.lowerBound, acinusRadius.upperBound),
                aspect: rng.uniform(1, 1.3), angle: rng.angle(), irregularity: 0.08, rng: &rng)
            acinus(outline, fill)
        }
    }

    enum AcinusFill { case normal, lobularNeoplasia }

    mutating func acinus(_ outline: Blob, _ fill: AcinusFill) {
        switch fill {
        case .normal:
            let look = GlandLook(
                epithelium: 6 * s, cytoplasmH: 0.08, cytoplasmE: 0.45,
                nucleus: NucleusLook(radius: 2.4 * s, elongation: 1.2, darkness: 1.15), spacing: 5 * s,
                basalDepth: 3 * s, myoepithelium: true)
            gland(outline, look)
        case .lobularNeoplasia:
            canvas.blob(outline, inset: -2.2 * s, h: 0.05, e: 0.62, soft: 1)
            discohesiveCells(outline)
            myoepithelialLayer(outline)
        }
    }

    /// Small uniform round cells with clear cytoplasm, slightly apart (lobular neoplasia).
    mutating func discohesiveCells(_ outline: Blob) {
        canvas.blob(outline, h: 0.05, e: 0.12, soft: 1)
        let spacing = 7.2 * s
        let reach = outline.maxRadius
        var y = -reach
        var row = 0
        let look = NucleusLook(radius: 2.6 * s, elongation: 1.1, darkness: 1.25, pleomorphism: 0.05)
        while y <= reach {
            var x = -reach + (row % 2 == 0 ? 0 : spacing / 2)
            while x <= reach {
                let p = outline.center + SIMD2(x, y) + SIMD2(rng.normal(), rng.normal()) * 0.7 * s
                x += spacing
                guard outline.contains(p, inset: 3 * s) else { continue }
                canvas.ellipse(p, rx: 3.5 * s, ry: 3.5 * s, h: 0.1, e: 0.32, soft: 1)
                nucleus(look, at: p + SIMD2(rng.normal(), rng.normal()) * 0.5 * s, angle: rng.angle())
            }
            y += spacing * 0.866
            row += 1
        }
    }

    mutating func breastNormal() {
        stroma(density: 0.8, angle: rng.angle(), wavy: 5, fibres: 40, cells: 10)
        // Fat lobules at one side of the field, as in most normal breast tissue.
        let side = rng.angle()
        let fat = Blob(
            center: center + SIMD2(cosf(side), sinf(side)) * 150 * s, radius: rng.uniform(85, 100) * s,
            aspect: rng.uniform(1, 1.4), angle: side + .pi / 2, irregularity: 0.12, rng: &rng)
        fatCells(in: fat)
        let region = Blob(
            center: center - SIMD2(cosf(side), sinf(side)) * 25 * s, radius: rng.uniform(72, 88) * s,
            aspect: rng.uniform(1, 1.3), angle: rng.angle(), irregularity: 0.15, rng: &rng)
        lobule(region, acini: 20, acinusRadius: 9 * s...12 * s, fill: .normal)
    }

    /// Adipocytes packed inside `region`: empty vacuoles leaving thin membranes between them.
    mutating func fatCells(in region: Blob) {
        let sites = hexGrid(spacing: 44 * s, jitter: 8 * s, margin: 50 * s)
        voronoiMembranes(sites, thickness: 1.5 * s, region: region)
    }

    mutating func breastLCIS() {
        stroma(density: 0.75, angle: rng.angle(), wavy: 5, fibres: 35, cells: 8)
        let region = Blob(
            center: center + SIMD2(rng.normal(), rng.normal()) * 12 * s, radius: rng.uniform(105, 120) * s,
            aspect: rng.uniform(1, 1.3), angle: rng.angle(), irregularity: 0.12, rng: &rng)
        lobule(region, acini: 20, acinusRadius: 18 * s...24 * s, fill: .lobularNeoplasia, gap: 1 * s)
    }

    /// A large duct with a myoepithelial rim, and the `contents` painted inside its epithelial outline.
    mutating func duct(_ outline: Blob, contents: (inout TissuePainter, Blob) -> Void) {
        canvas.blob(outline, inset: -5 * s, h: 0.04, e: 0.75, soft: 2)
        canvas.blob(outline, inset: -2.2 * s, h: 0.05, e: 0.62, soft: 1)
        contents(&self, outline)
        myoepithelialLayer(outline)
    }

    mutating func breastUDH() {
        stroma(density: 0.7, angle: rng.angle(), wavy: 5, fibres: 30, cells: 8)
        for p in [center + SIMD2(rng.normal(), rng.normal()) * 20 * s] {
            let outline = Blob(
                center: p, radius: rng.uniform(88, 104) * s, aspect: rng.uniform(1, 1.3), angle: rng.angle(),
                irregularity: 0.1, rng: &rng)
            duct(outline) { painter, outline in painter.streamingCells(outline) }
        }
    }

    /// Heterogeneous, overlapping, swirling cells with slit-like peripheral lumens (UHD).
    mutating func streamingCells(_ outline: Blob) {
        canvas.blob(outline, h: 0.1, e: 0.42, soft: 1, grain: 0.1)
        let flowSeed = noiseSeed()
        let reach = outline.maxRadius
        let count = Int(reach * reach / (28 * s * s))
        for _ in 0..<count {
            let p = outline.center + SIMD2(rng.uniform(-reach, reach), rng.uniform(-reach, reach))
            guard outline.contains(p, inset: 3 * s) else { continue }
            let flow = PixelNoise.value(p.x / (40 * s), p.y / (40 * s), flowSeed) * 2 * .pi
            let look = NucleusLook(
                radius: rng.uniform(2.2, 3.4) * s, elongation: rng.uniform(1.4, 2.4), darkness: rng.uniform(0.85, 1.2),
                pleomorphism: 0.15)
            nucleus(look, at: p, angle: flow + rng.normal() * 0.25)
        }
        // Irregular slit-like secondary lumens at the periphery.
        for _ in 0..<rng.int(5..<9) {
            let theta = rng.uniform(-.pi, .pi)
            let p = outline.point(at: theta, inset: rng.uniform(8, 16) * s)
            canvas.ellipse(
                p, rx: rng.uniform(7, 14) * s, ry: rng.uniform(1.5, 3) * s, angle: theta + .pi / 2 + rng.normal() * 0.3,
                h: 0, e: 0, soft: 1)
        }
    }

    mutating func breastADH() {
        stroma(density: 0.75, angle: rng.angle(), wavy: 5, fibres: 35, cells: 10)
        let atypical = NucleusLook(radius: 2.7 * s, elongation: 1.1, darkness: 1.3, pleomorphism: 0.05)
        for p in scatter(count: 2, minDistance: 120 * s, margin: -20 * s) {
            let outline = Blob(
                center: p, radius: rng.uniform(42, 55) * s, aspect: rng.uniform(1, 1.25), angle: rng.angle(),
                irregularity: 0.08, rng: &rng)
            duct(outline) { painter, outline in
                // Partial involvement: a residual open lumen on one side, rigid cribriform bars on the other.
                let side = painter.rng.uniform(-.pi, .pi)
                let open = Blob(
                    center: outline.point(at: side, inset: outline.maxRadius * 0.55), radius: outline.maxRadius * 0.42,
                    aspect: 1.5, angle: side + .pi / 2, irregularity: 0.1, rng: &painter.rng)
                var lumens = painter.punchedLumens(in: outline, count: 6, radius: 4.5 * painter.s...7 * painter.s)
                lumens.removeAll { distance($0.center, open.center) < open.maxRadius + $0.maxRadius + 4 * painter.s }
                painter.solidNest(
                    outline, cytoplasmH: 0.08, cytoplasmE: 0.42, nucleus: atypical, spacing: 7.5 * painter.s,
                    jitter: 0.5 * painter.s, lumens: lumens + [open])
            }
        }
        let region = Blob(center: anywhere(), radius: 40 * s, irregularity: 0.1, rng: &rng)
        lobule(region, acini: 5, acinusRadius: 8 * s...10 * s, fill: .normal)
    }

    mutating func breastDCIS() {
        stroma(density: 0.75, angle: rng.angle(), wavy: 4, fibres: 30, cells: 10)
        inflammatoryCells(count: 30)
        let look = NucleusLook(radius: 3.6 * s, elongation: 1.15, darkness: 1.4, pleomorphism: 0.1, nucleolus: true)
        for p in scatter(count: 2, minDistance: 150 * s, margin: 10 * s) {
            let outline = Blob(
                center: p, radius: rng.uniform(68, 85) * s, aspect: rng.uniform(1, 1.2), angle: rng.angle(),
                irregularity: 0.06, rng: &rng)
            duct(outline) { painter, outline in
                painter.solidNest(
                    outline, cytoplasmH: 0.1, cytoplasmE: 0.5, nucleus: look, spacing: 9.5 * painter.s,
                    jitter: 0.8 * painter.s)
                // Comedo necrosis in the centre, sometimes with a dark calcification.
                let core = Blob(
                    center: outline.center, radius: outline.maxRadius * painter.rng.uniform(0.3, 0.45),
                    irregularity: 0.15, rng: &painter.rng)
                painter.necrosis(in: core, dustClusters: 10)
                if painter.rng.chance(0.5) {
                    let r = painter.rng.uniform(4, 8) * painter.s
                    painter.canvas.ellipse(core.center, rx: r, ry: r * 0.7, angle: painter.rng.angle(), h: 2.2, e: 0.5)
                }
            }
        }
    }

    mutating func breastIDC() {
        stroma(density: 0.55, angle: rng.angle(), wavy: 3, fibres: 25, cells: 18, basophilia: 0.08)
        inflammatoryCells(count: 20)
        let look = NucleusLook(
            radius: 3.6 * s, elongation: 1.3, darkness: 1.45, pleomorphism: 0.3, vesicular: true, nucleolus: true)
        for p in scatter(count: 14, minDistance: 36 * s, margin: 10 * s) {
            let outline = Blob(
                center: p, radius: rng.uniform(14, 26) * s, aspect: rng.uniform(1, 2.4), angle: rng.angle(),
                irregularity: 0.35, rng: &rng)
            if rng.chance(0.3) && outline.maxRadius > 14 * s {
                let gland = GlandLook(
                    epithelium: 9 * s, cytoplasmH: 0.12, cytoplasmE: 0.55, nucleus: look, spacing: 6.5 * s,
                    basalDepth: 4 * s, stratification: 1.5 * s, orientation: .random)
                self.gland(outline, gland)
            } else {
                solidNest(outline, cytoplasmH: 0.12, cytoplasmE: 0.55, nucleus: look, spacing: 8.5 * s, jitter: 1.6 * s)
            }
        }
    }

    mutating func breastILC() {
        let angle = rng.angle()
        stroma(density: 0.8, angle: angle, wavy: 4, fibres: 35, cells: 6)
        let look = NucleusLook(radius: 2.8 * s, elongation: 1.25, darkness: 1.3, pleomorphism: 0.1)
        // Targetoid files around a residual duct.
        let ductCentre = anywhere(margin: -50 * s)
        let ductOutline = Blob(center: ductCentre, radius: 16 * s, irregularity: 0.1, rng: &rng)
        for ring in 1...3 {
            let radius = 16 * s + Float(ring) * 11 * s
            let circumference = 2 * .pi * radius
            var t = rng.uniform(0, 10 * s)
            while t < circumference {
                if rng.chance(0.8) {
                    let theta = t / radius
                    let p = ductCentre + SIMD2(cosf(theta), sinf(theta)) * (radius + rng.normal() * 1.2 * s)
                    singleInvasiveCell(at: p, look: look, angle: theta + .pi / 2)
                }
                t += rng.uniform(7.5, 9.5) * s
            }
        }
        gland(
            ductOutline,
            GlandLook(
                epithelium: 6 * s, nucleus: NucleusLook(radius: 2.4 * s, darkness: 1.1), spacing: 5 * s,
                basalDepth: 3 * s, myoepithelium: true))
        // Single files running with the collagen.
        for _ in 0..<rng.int(8..<12) {
            let a = angle + rng.normal() * 0.35
            let path = wavyPath(
                from: anywhere(margin: 20 * s), angle: a, length: rng.uniform(50, 120) * s, amplitude: 3 * s,
                wavelength: 40 * s, step: 8.5)
            for p in path where !ductOutline.contains(p, inset: -45 * s) {
                singleInvasiveCell(at: p, look: look, angle: a)
            }
        }
    }

    /// A small cell with a rim of cytoplasm, sometimes with an intracytoplasmic lumen (signet-ring-like).
    mutating func singleInvasiveCell(at p: SIMD2<Float>, look: NucleusLook, angle: Float) {
        canvas.ellipse(p, rx: 4.6 * s, ry: 3.8 * s, angle: angle, h: 0.1, e: 0.38, soft: 1)
        if rng.chance(0.12) {
            canvas.ellipse(p, rx: 2.4 * s, ry: 2.4 * s, h: 0.06, e: 0.1, soft: 0.8)
            let side = SIMD2(cosf(angle), sinf(angle)) * 2.6 * s
            nucleus(NucleusLook(radius: 2.4 * s, elongation: 2.2, darkness: 1.4), at: p + side, angle: angle + .pi / 2)
        } else {
            nucleus(look, at: p, angle: angle)
        }
    }

    mutating func breastFibroadenoma() {
        // Loose, pale, slightly myxoid stroma with few cells.
        stroma(density: 0.32, angle: rng.angle(), wavy: 6, fibres: 14, cells: 40, basophilia: 0.15)
        for _ in 0..<rng.int(6..<9) {
            let start = anywhere(margin: 10 * s)
            let angle = rng.angle()
            var path = wavyPath(
                from: start, angle: angle, length: rng.uniform(100, 200) * s, amplitude: rng.uniform(6, 14) * s,
                wavelength: rng.uniform(60, 110) * s, step: 3)
            compressedDuct(path)
            // An antler-like branch.
            if rng.chance(0.6), path.count > 10 {
                let fork = path[path.count / 2]
                path = wavyPath(
                    from: fork, angle: angle + rng.uniform(0.6, 1.1) * (rng.chance(0.5) ? 1 : -1),
                    length: rng.uniform(30, 60) * s, amplitude: 5 * s, wavelength: 60 * s, step: 3)
                compressedDuct(path)
            }
        }
    }

    /// A duct squeezed into a slit: two cell layers either side of a hairline lumen.
    mutating func compressedDuct(_ path: [SIMD2<Float>]) {
        canvas.polyline(path, width: 15 * s, h: 0.05, e: 0.6, soft: 1.2)
        canvas.polyline(path, width: 11 * s, h: 0.1, e: 0.44, soft: 1)
        canvas.polyline(path, width: 1.8 * s, h: 0, e: 0, soft: 0.8)
        let look = NucleusLook(radius: 2.1 * s, elongation: 1.6, darkness: 1.2)
        let myo = NucleusLook(radius: 1.6 * s, elongation: 3, darkness: 1.05)
        var travelled: Float = 0
        for i in 1..<path.count {
            let d = path[i] - path[i - 1]
            let len = (d * d).sum().squareRoot()
            travelled += len
            guard travelled >= rng.uniform(4, 6) * s, len > 0 else { continue }
            travelled = 0
            let dir = d / len
            let normal = SIMD2(-dir.y, dir.x)
            let along = atan2f(dir.y, dir.x)
            for side: Float in [-1, 1] {
                guard rng.chance(0.85) else { continue }
                let shift = dir * rng.normal() * 1.2 * s
                nucleus(look, at: path[i] + shift + normal * side * 3.6 * s, angle: along + rng.normal() * 0.5)
                if rng.chance(0.4) { nucleus(myo, at: path[i] + normal * side * 6.6 * s, angle: along) }
            }
        }
    }
}
