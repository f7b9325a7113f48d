import Foundation

/// Glands, ducts and epithelial nests: an outline of epithelium around a lumen, nuclei set along
/// the basement membrane, optional goblet cells, serration and myoepithelial layer.
struct GlandLook {
    enum Lumen { case empty, secretion, necrosis, mucin }
    enum Orientation { case radial, tangential, random }

    var epithelium: Float
    var cytoplasmH: Float = 0.08
    var cytoplasmE: Float = 0.42
    var nucleus: TissuePainter.NucleusLook
    var spacing: Float
    /// Depth of the nuclear centres below the outline.
    var basalDepth: Float
    /// Extra random depth: pseudostratification.
    var stratification: Float = 0
    var orientation = Orientation.radial
    /// Fraction of positions that hold a goblet cell.
    var goblet: Float = 0
    /// Amplitude (pixels) and count of the saw-tooth folds of a serrated lumen.
    var serration: Float = 0
    var serrationTeeth = 10
    var myoepithelium = false
    var lumen = Lumen.empty
}

extension TissuePainter {
    mutating func gland(_ outline: Blob, _ look: GlandLook) {
        if look.myoepithelium {
            canvas.blob(outline, inset: -2.2 * s, h: 0.05, e: 0.62, soft: 1)
        }
        canvas.blob(outline, h: look.cytoplasmH, e: look.cytoplasmE, soft: 1, grain: 0.1)
        let lumen = lumenOutline(outline, look)
        paintLumen(lumen, look.lumen)
        if look.goblet > 0 { goblets(outline, look) }
        epithelialNuclei(outline, look)
        if look.myoepithelium { myoepithelialLayer(outline) }
    }

    func lumenOutline(_ outline: Blob, _ look: GlandLook) -> Blob {
        let teeth = Float(look.serrationTeeth)
        let amplitude = look.serration
        return outline.mapRadii { r, theta in
            // A saw-tooth in angle gives the star-shaped lumen of serrated crypts.
            let phase = (theta / (2 * .pi) * teeth).truncatingRemainder(dividingBy: 1)
            let tooth = amplitude * (abs(phase < 0 ? phase + 1 : phase) * 2 - 1).magnitude
            return r - look.epithelium + tooth
        }
    }

    mutating func paintLumen(_ lumen: Blob, _ content: GlandLook.Lumen) {
        switch content {
        case .empty:
            canvas.blob(lumen, h: 0, e: 0, soft: 0.9)
        case .secretion:
            canvas.blob(lumen, h: 0.02, e: 0.2, soft: 0.9, grain: 0.2)
        case .necrosis:
            canvas.blob(lumen, h: 0, e: 0, soft: 0.9)
            necrosis(in: lumen, inset: 4 * s, dustClusters: max(2, Int(lumen.maxRadius * lumen.maxRadius / (60 * s * s))))
        case .mucin:
            canvas.blob(lumen, h: 0, e: 0, soft: 0.9)
            mucinPool(in: lumen, inset: 1 * s)
        }
    }

    /// Pale, mucin-filled cups between the nuclei and the lumen.
    mutating func goblets(_ outline: Blob, _ look: GlandLook) {
        let depth = look.epithelium * 0.58
        let count = Int(outline.perimeter(inset: depth) / (6.5 * s))
        guard count > 0 else { return }
        let start = rng.angle()
        for i in 0..<count where rng.chance(look.goblet) {
            let theta = start + 2 * .pi * (Float(i) + rng.uniform(-0.2, 0.2)) / Float(count)
            let wrapped = atan2f(sinf(theta), cosf(theta))
            let p = outline.point(at: wrapped, inset: depth)
            canvas.ellipse(
                p, rx: look.epithelium * 0.3, ry: 2.6 * s, angle: wrapped, h: 0.12, e: 0.04, soft: 0.9, grain: 0.3)
        }
    }

    mutating func epithelialNuclei(_ outline: Blob, _ look: GlandLook) {
        let count = Int(outline.perimeter(inset: look.basalDepth) / look.spacing)
        guard count > 2 else { return }
        let start = rng.angle()
        let deepest = max(look.epithelium - look.nucleus.radius, look.basalDepth)
        for i in 0..<count {
            let theta = start + 2 * .pi * (Float(i) + rng.uniform(-0.25, 0.25)) / Float(count)
            let wrapped = atan2f(sinf(theta), cosf(theta))
            let depth = min(look.basalDepth + look.stratification * rng.unit(), deepest)
            let p = outline.point(at: wrapped, inset: depth)
            let angle: Float
            switch look.orientation {
            case .radial: angle = wrapped + rng.normal() * 0.12
            case .tangential: angle = wrapped + .pi / 2
            case .random: angle = rng.angle()
            }
            nucleus(look.nucleus, at: p, angle: angle)
        }
    }

    /// Flattened nuclei with clear cytoplasm hugging the outside of a duct or acinus.
    mutating func myoepithelialLayer(_ outline: Blob) {
        let count = Int(outline.perimeter(inset: 0) / (11 * s))
        guard count > 2 else { return }
        let start = rng.angle()
        let look = NucleusLook(radius: 1.7 * s, elongation: 3.2, darkness: 1.1, grain: 0.15)
        for i in 0..<count {
            let theta = start + 2 * .pi * (Float(i) + rng.uniform(-0.3, 0.3)) / Float(count)
            let wrapped = atan2f(sinf(theta), cosf(theta))
            let p = outline.point(at: wrapped, inset: -0.6 * s)
            canvas.ellipse(p, rx: 4 * s, ry: 2.2 * s, angle: wrapped + .pi / 2, h: 0.04, e: 0.25, alpha: 0.6, soft: 1.2)
            nucleus(look, at: p, angle: wrapped + .pi / 2)
        }
    }

    /// An epithelial nest filled with cells, with optional punched-out lumens (cribriform).
    /// Nuclei sit on a jittered lattice, so `jitter` small gives the monotonous spacing of
    /// low-grade neoplasia and large gives disorder.
    mutating func solidNest(
        _ outline: Blob, cytoplasmH: Float = 0.1, cytoplasmE: Float = 0.45, nucleus look: NucleusLook, spacing: Float,
        jitter: Float, lumens: [Blob] = [], orientation: Float? = nil
    ) {
        canvas.blob(outline, h: cytoplasmH, e: cytoplasmE, soft: 1, grain: 0.1)
        for lumen in lumens { canvas.blob(lumen, h: 0, e: 0, soft: 0.9) }
        let reach = outline.maxRadius
        let rowHeight = spacing * 0.866
        var y = -reach
        var row = 0
        while y <= reach {
            var x = -reach + (row % 2 == 0 ? 0 : spacing / 2)
            while x <= reach {
                let p = outline.center + SIMD2(x, y) + SIMD2(rng.normal(), rng.normal()) * jitter
                x += spacing
                guard outline.contains(p, inset: look.radius * 0.8) else { continue }
                if lumens.contains(where: { $0.contains(p, inset: -look.radius - 1.2 * s) }) { continue }
                nucleus(look, at: p, angle: orientation.map { $0 + rng.normal() * 0.3 } ?? rng.angle())
            }
            y += rowHeight
            row += 1
        }
    }
}

/// A gland cut along its length: a centre line with a half-width of epithelium on either side.
struct GlandPiece {
    var path: [SIMD2<Float>]
    var halfWidth: Float
}

extension TissuePainter {
    /// Points every `step` pixels along a polyline, with the unit tangent there.
    static func resample(_ path: [SIMD2<Float>], step: Float) -> [(point: SIMD2<Float>, tangent: SIMD2<Float>)] {
        var out: [(SIMD2<Float>, SIMD2<Float>)] = []
        var carry: Float = 0
        for i in 1..<max(path.count, 1) {
            let a = path[i - 1], b = path[i]
            let len = distance(a, b)
            guard len > 0 else { continue }
            let dir = (b - a) / len
            var t = carry
            while t < len {
                out.append((a + dir * t, dir))
                t += step
            }
            carry = t - len
        }
        return out
    }

    static func distanceToPath(_ p: SIMD2<Float>, _ path: [SIMD2<Float>]) -> Float {
        var best = Float.infinity
        for i in 1..<max(path.count, 1) {
            let a = path[i - 1], ab = path[i] - a
            let t = min(max(((p - a) * ab).sum() / max((ab * ab).sum(), 1e-6), 0), 1)
            best = min(best, distance(p, a + ab * t))
        }
        return best
    }

    /// Longitudinally cut crypts (pieces share one lumen), optionally with saw-tooth tufts
    /// projecting into the lumen: serration seen along the crypt.
    mutating func tubularGland(_ pieces: [GlandPiece], _ look: GlandLook, tufts: Bool) {
        for piece in pieces {
            canvas.polyline(piece.path, width: 2 * piece.halfWidth, h: look.cytoplasmH, e: look.cytoplasmE, soft: 1, grain: 0.1)
        }
        for piece in pieces {
            canvas.polyline(piece.path, width: 2 * (piece.halfWidth - look.epithelium), h: 0, e: 0, soft: 0.9)
        }
        func inLumen(_ p: SIMD2<Float>, margin: Float) -> Bool {
            pieces.contains { Self.distanceToPath(p, $0.path) < $0.halfWidth - look.epithelium + margin }
        }
        for piece in pieces {
            let lumenHalf = piece.halfWidth - look.epithelium
            for (p, t) in Self.resample(piece.path, step: look.spacing) {
                let n = SIMD2(-t.y, t.x)
                for side: Float in [-1, 1] {
                    let across = atan2f(n.y * side, n.x * side)
                    if tufts && rng.chance(0.45) {
                        // A tooth of epithelium poking into the lumen.
                        let q = p + n * side * (lumenHalf - 1.2 * s)
                        if !inLumen(q + n * side * 4 * s, margin: 0) {
                            canvas.ellipse(q, rx: 3.8 * s, ry: 1.8 * s, angle: across, h: look.cytoplasmH, e: look.cytoplasmE, soft: 0.8)
                        }
                    }
                    if look.goblet > 0 && rng.chance(look.goblet * 0.5) {
                        let g = p + n * side * (piece.halfWidth - look.epithelium * 0.58)
                        if !inLumen(g, margin: 1.5 * s) {
                            canvas.ellipse(g, rx: look.epithelium * 0.3, ry: 2.6 * s, angle: across, h: 0.12, e: 0.04, soft: 0.9)
                        }
                    }
                    let depth = look.basalDepth + look.stratification * rng.unit()
                    let q = p + n * side * (piece.halfWidth - depth) + t * rng.normal() * 0.6 * s
                    guard !inLumen(q, margin: look.nucleus.radius) else { continue }
                    nucleus(look.nucleus, at: q, angle: across + rng.normal() * 0.12)
                }
            }
        }
    }
}
