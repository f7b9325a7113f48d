import Foundation

/// Lymph node and lymphoid tissue: sheets of small lymphocytes with their structures.
extension TissuePainter {
    /// Densely packed lymphocytes on a jittered lattice wherever `allowed` says.
    mutating func lymphocyteSheet(spacing: Float, allowed: (SIMD2<Float>) -> Bool) {
        for p in hexGrid(spacing: spacing, jitter: spacing * 0.22) where allowed(p) {
            lymphocyte(at: p, darkness: rng.uniform(1.4, 1.7))
        }
    }

    /// A pale germinal centre of larger cells with tingible-body macrophages.
    mutating func germinalCentre(_ region: Blob) {
        canvas.blob(region, h: 0.12, e: 0.3, soft: 4, grain: 0.1)
        let centroblast = NucleusLook(
            radius: 4 * s, elongation: 1.2, darkness: 1.05, pleomorphism: 0.15, vesicular: true, nucleolus: true)
        let centrocyte = NucleusLook(radius: 3 * s, elongation: 1.5, darkness: 1.3, pleomorphism: 0.2)
        let reach = region.maxRadius
        let count = Int(reach * reach / (20 * s * s))
        for _ in 0..<count {
            let p = region.center + SIMD2(rng.uniform(-reach, reach), rng.uniform(-reach, reach))
            guard region.contains(p, inset: 2 * s) else { continue }
            if rng.chance(0.07) {
                // Tingible-body macrophage: clear cytoplasm holding dark apoptotic debris.
                canvas.ellipse(p, rx: 7 * s, ry: 6 * s, angle: rng.angle(), h: 0.06, e: 0.2, soft: 1.5)
                nuclearDust(at: p, spread: 2 * s)
            } else {
                nucleus(rng.chance(0.5) ? centroblast : centrocyte, at: p, angle: rng.angle())
            }
        }
    }

    mutating func lymphNodeReactive() {
        canvas.fill(h: 0.1, e: 0.25)
        let gc = Blob(
            center: anywhere(margin: -60 * s), radius: rng.uniform(55, 75) * s, aspect: rng.uniform(1, 1.4),
            angle: rng.angle(), irregularity: 0.1, rng: &rng)
        let sinus = sinusPath(avoiding: gc)
        let sinusHalfWidth = 10 * s
        let s = self.s
        lymphocyteSheet(spacing: 6.6 * s) { p in
            !gc.contains(p, inset: -2 * s) && !TissuePainter.near(sinus, p, within: sinusHalfWidth)
        }
        // Mantle: an extra-dense ring of small lymphocytes.
        lymphocyteSheet(spacing: 6 * s) { p in
            !gc.contains(p, inset: -2 * s) && gc.contains(p, inset: -16 * s)
        }
        germinalCentre(gc)
        openSinus(sinus, halfWidth: sinusHalfWidth)
    }

    /// A path across the field that keeps off `region`.
    mutating func sinusPath(avoiding region: Blob) -> [SIMD2<Float>] {
        for _ in 0..<8 {
            let angle = rng.angle()
            let start = center - SIMD2(cosf(angle), sinf(angle)) * 190 * s + SIMD2(rng.normal(), rng.normal()) * 60 * s
            let path = wavyPath(from: start, angle: angle, length: 380 * s, amplitude: 14 * s, wavelength: 160 * s, step: 4)
            if !path.contains(where: { region.contains($0, inset: -14 * s) }) { return path }
        }
        return []
    }

    static func near(_ path: [SIMD2<Float>], _ p: SIMD2<Float>, within r: Float) -> Bool {
        path.contains { distance($0, p) < r }
    }

    /// A pale channel with loose histiocytes and a few lymphocytes.
    mutating func openSinus(_ path: [SIMD2<Float>], halfWidth: Float) {
        guard !path.isEmpty else { return }
        canvas.polyline(path, width: 2 * halfWidth, h: 0.04, e: 0.1, soft: 2)
        for (i, p) in path.enumerated() where i % 3 == 0 {
            let q = p + SIMD2(rng.normal(), rng.normal()) * halfWidth * 0.4
            if rng.chance(0.5) {
                canvas.ellipse(q, rx: 6 * s, ry: 4.5 * s, angle: rng.angle(), h: 0.1, e: 0.4, soft: 1.5)
                nucleus(NucleusLook(radius: 2.6 * s, elongation: 1.7, darkness: 0.95, vesicular: true), at: q, angle: rng.angle())
            } else {
                lymphocyte(at: q)
            }
        }
    }

    mutating func lymphNodeMetastaticCarcinoma() {
        canvas.fill(h: 0.1, e: 0.25)
        var clusters: [Blob] = []
        for p in scatter(count: 3, minDistance: 95 * s, margin: -15 * s) {
            clusters.append(
                Blob(
                    center: p, radius: rng.uniform(28, 48) * s, aspect: rng.uniform(1, 1.6), angle: rng.angle(),
                    irregularity: 0.3, rng: &rng))
        }
        let s = self.s
        lymphocyteSheet(spacing: 6.6 * s) { p in !clusters.contains { $0.contains(p, inset: -2 * s) } }
        let look = NucleusLook(
            radius: 4.6 * s, elongation: 1.3, darkness: 1.35, pleomorphism: 0.35, vesicular: true, nucleolus: true)
        for cluster in clusters {
            let lumens = rng.chance(0.4) ? punchedLumens(in: cluster, count: rng.int(1..<3), radius: 4 * s...7 * s) : []
            solidNest(
                cluster, cytoplasmH: 0.1, cytoplasmE: 0.68, nucleus: look, spacing: 12 * s, jitter: 2.2 * s,
                lumens: lumens)
        }
    }

    mutating func lymphoidAggregate() {
        stroma(density: 0.6, angle: rng.angle(), wavy: 4, fibres: 25, cells: 10)
        let aggregate = Blob(
            center: center + SIMD2(rng.normal(), rng.normal()) * 25 * s, radius: rng.uniform(70, 92) * s,
            aspect: rng.uniform(1, 1.5), angle: rng.angle(), irregularity: 0.15, rng: &rng)
        canvas.blob(aggregate, inset: -6 * s, h: 0.1, e: 0.22, soft: 6)
        let s = self.s
        lymphocyteSheet(spacing: 6.5 * s) { p in aggregate.contains(p) }
        // Lymphocytes thin out at the edge of the aggregate.
        lymphocyteSheet(spacing: 13 * s) { p in !aggregate.contains(p) && aggregate.contains(p, inset: -22 * s) }
        // A high endothelial venule or small vessel with red cells.
        let v = aggregate.point(at: rng.uniform(-.pi, .pi), inset: aggregate.maxRadius * 0.4)
        canvas.ellipse(v, rx: 8 * s, ry: 5 * s, angle: rng.angle(), h: 0.12, e: 0.45, soft: 1)
        for _ in 0..<4 { erythrocyte(at: v + SIMD2(rng.normal(), rng.normal()) * 2 * s, radius: 2.6 * s) }
    }
}
