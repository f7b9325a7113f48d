import Foundation

/// The histo-v1 vector of one stain-normalised tile.
///
/// Inputs are the H and E amounts on the reference scale. Channels: u_H and u_E (amounts divided by the
/// reference's robust maxima, so ~0…1) and the density D (the repainted pixel's mean optical density).
/// Blocks, each a histogram normalised to sum 1, then signed-square-rooted (so its L2 norm is 1) and weighted:
///
/// | block | bins |
/// |---|---|
/// | u_H, u_E histograms (soft, 0…1.25) | 10 + 10 |
/// | joint u_H × u_E histogram (soft, 6 × 6) | 36 |
/// | staining strength the normalisation divided out, H and E (soft, log₂/1.25) | 7 + 7 |
/// | density D histogram (soft, 0…1.2: glass, fat, mucus pale; muscle dense) | 10 |
/// | nuclei (u_H > 0.45): size, elongation, coverage, count per 10,000 px | 10 + 4 + 2 + 8 |
/// | lumen (D < 0.08): size, coverage | 10 + 2 |
/// | per octave (tile, 2×, 4× downscale): riu2 LBP of u_H, D and u_E at R = 1, 2, 3 | 3 × 9 × 10 |
/// | per octave: gradient magnitude of D and u_H, sorted orientation of D, coherence of D | 3 × (8 + 8 + 8 + 2) |
///
/// The 2× and 4× octaves share weights ("coarse").
///
/// The whole vector is then L2-normalised, so cosine similarity is a weighted sum of Bhattacharyya coefficients.
enum HistologyTileFeatures {
    /// What a block measures; its weight in the vector is looked up by kind.
    enum Kind: Int, CaseIterable, Sendable {
        case stainHistogram, jointHistogram, stainStrength, densityHistogram
        case nucleusSize, nucleusShape, nucleusCoverage, nucleusDensity, lumenSize, lumenCoverage
        case lbpHaematoxylin, lbpDensity, lbpEosin, gradientMagnitude, orientation, coherence
        case coarseLBPHaematoxylin, coarseLBPDensity, coarseLBPEosin, coarseGradientMagnitude, coarseOrientation, coarseCoherence
    }

    /// Weight of each kind of block (a block has unit norm before weighting).
    struct Weights: Sendable {
        var values: [Float]

        init(_ pairs: [Kind: Float] = [:]) {
            values = Kind.allCases.map { pairs[$0] ?? Self.standard[$0]! }
        }

        /// Chosen on retrieval over crops of real H&E tiles (clean, re-stained, brightened; Scripts/eval-image-channel),
        /// rounded and kept moderate, since a search on so few tiles overfits: stain and density histograms,
        /// nucleus density and fine-scale LBP carry most of the signal; blob shape, orientation little.
        static let standard: [Kind: Float] = [
            .stainHistogram: 1.5, .jointHistogram: 0.5, .stainStrength: 0.5, .densityHistogram: 1,
            .nucleusSize: 0.25, .nucleusShape: 0.25, .nucleusCoverage: 0.5, .nucleusDensity: 1, .lumenSize: 0.25, .lumenCoverage: 0.5,
            .lbpHaematoxylin: 2, .lbpDensity: 1.5, .lbpEosin: 1, .gradientMagnitude: 0.5, .orientation: 0.25, .coherence: 1,
            .coarseLBPHaematoxylin: 1, .coarseLBPDensity: 0.75, .coarseLBPEosin: 1, .coarseGradientMagnitude: 0.25, .coarseOrientation: 0,
            .coarseCoherence: 0.5,
        ]

        subscript(kind: Kind) -> Float { values[kind.rawValue] }
    }

    static let histogramBins = 10
    static let strengthBins = 7
    static let nucleusDensityBins = 8
    /// The density histogram spans 0…densityTop (white glass is 0, a dark nucleus about 1).
    static let densityTop: Float = 1.2
    static let jointBins = 6
    static let histogramTop: Float = 1.25
    static let radii: [Double] = [1, 2, 3]
    /// u_H above this is nucleus (the reference's robust maximum is 1).
    static let nucleusThreshold: Float = 0.45
    /// Mean optical density below this is empty (lumen, fat, glass): intensity above about 235.
    static let lumenThreshold: Float = 0.08
    static let referenceMax: SIMD2<Float> = [1.9705, 1.0308]

    /// The block layout: every tile yields blocks of these kinds and lengths, in this order.
    static let layout: [(kind: Kind, length: Int)] = {
        var l: [(kind: Kind, length: Int)] = [
            (.stainHistogram, histogramBins), (.stainHistogram, histogramBins), (.jointHistogram, jointBins * jointBins),
            (.stainStrength, strengthBins), (.stainStrength, strengthBins), (.densityHistogram, histogramBins),
            (.nucleusSize, HistoBlobs.sizeBins), (.nucleusShape, HistoBlobs.elongationBins), (.nucleusCoverage, 2),
            (.nucleusDensity, nucleusDensityBins),
            (.lumenSize, HistoBlobs.sizeBins), (.lumenCoverage, 2),
        ]
        for (lbpH, lbpD, lbpE, mag, ori, coh) in [
            (Kind.lbpHaematoxylin, Kind.lbpDensity, Kind.lbpEosin, Kind.gradientMagnitude, Kind.orientation, Kind.coherence),
            (.coarseLBPHaematoxylin, .coarseLBPDensity, .coarseLBPEosin, .coarseGradientMagnitude, .coarseOrientation, .coarseCoherence),
            (.coarseLBPHaematoxylin, .coarseLBPDensity, .coarseLBPEosin, .coarseGradientMagnitude, .coarseOrientation, .coarseCoherence),
        ] {
            l += radii.map { _ in (lbpH, LBPHistogram.bins) }
            l += radii.map { _ in (lbpD, LBPHistogram.bins) }
            l += radii.map { _ in (lbpE, LBPHistogram.bins) }
            l += [(mag, TextureGradients.magnitudeBins), (mag, TextureGradients.magnitudeBins),
                  (ori, TextureGradients.orientationBins), (coh, 2)]
        }
        return l
    }()

    static let dimension = layout.reduce(0) { $0 + $1.length }

    /// The tile's vector: blocks weighted and concatenated, then L2-normalised.
    static func vector(haematoxylin: HistoPlane, eosin: HistoPlane, strength: SIMD2<Double>, weights: Weights = Weights()) -> [Float] {
        combine(blocks(haematoxylin: haematoxylin, eosin: eosin, strength: strength), weights: weights)
    }

    static func combine(_ blocks: [[Float]], weights: Weights) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(dimension)
        for (block, slot) in zip(blocks, layout) {
            let w = weights[slot.kind]
            for v in block { out.append(w * v) }
        }
        HistoNormalisation.l2Normalise(&out)
        return out
    }

    /// Every block of the layout, power-normalised, unweighted.
    /// `strength` is the image's staining strength relative to the reference (what normalisation divided out).
    static func blocks(haematoxylin: HistoPlane, eosin: HistoPlane, strength: SIMD2<Double>) -> [[Float]] {
        let n = haematoxylin.values.count
        var uH = haematoxylin, uE = eosin
        var density = haematoxylin
        // Mean optical density of the reference-painted pixel: Σ(h)·cH + Σ(e)·cE over 3 channels.
        let dh: Float = (0.5626 + 0.7201 + 0.4062) / 3, de: Float = (0.2159 + 0.8012 + 0.5581) / 3
        for i in 0..<n {
            let h = haematoxylin.values[i], e = eosin.values[i]
            uH.values[i] = h / referenceMax.x
            uE.values[i] = e / referenceMax.y
            density.values[i] = dh * max(h, 0) + de * max(e, 0)
        }

        var out: [[Float]] = []
        out.reserveCapacity(layout.count)
        let binScale = Float(histogramBins - 1) / histogramTop
        var hH = [Float](repeating: 0, count: histogramBins), hE = hH, hD = hH
        let dScale = Float(histogramBins - 1) / densityTop
        var joint = [Float](repeating: 0, count: jointBins * jointBins)
        let jScale = Float(jointBins - 1) / histogramTop
        for i in 0..<n {
            HistoBinning.addSoft(uH.values[i] * binScale, to: &hH)
            HistoBinning.addSoft(uE.values[i] * binScale, to: &hE)
            HistoBinning.addSoft(density.values[i] * dScale, to: &hD)
            addJoint(uH.values[i] * jScale, uE.values[i] * jScale, to: &joint)
        }
        out.append(powerNormalised(hH))
        out.append(powerNormalised(hE))
        out.append(powerNormalised(joint))
        // How strong the staining was, coarsely and softly binned (log₂ in half steps): pale mucus and dense
        // muscle differ in it, a re-staining moves it by less than a bin.
        for v in [strength.x, strength.y] {
            var b = [Float](repeating: 0, count: strengthBins)
            HistoBinning.addSoft(Float(log2(max(v, 1e-3)) / 1.25) + Float(strengthBins / 2), to: &b)
            out.append(powerNormalised(b))
        }
        out.append(powerNormalised(hD))
        let nuclei = HistoBlobs(threshold: nucleusThreshold, above: true).measure(uH)
        out.append(powerNormalised(nuclei.size))
        out.append(powerNormalised(nuclei.elongation))
        out.append(powerNormalised([nuclei.coverage, 1 - nuclei.coverage]))
        // Nuclei per 10,000 px (a 50 µm square at 0.5 µm/px), log₂ in unit bins: 1 … 128+.
        out.append(powerNormalised(densityBins(nuclei.count, of: n)))
        let lumen = HistoBlobs(threshold: lumenThreshold, above: false).measure(density)
        out.append(powerNormalised(lumen.size))
        out.append(powerNormalised([lumen.coverage, 1 - lumen.coverage]))
        appendTexture(h: uH, e: uE, d: density, to: &out)
        let h2 = uH.halved(), e2 = uE.halved(), d2 = density.halved()
        appendTexture(h: h2, e: e2, d: d2, to: &out)
        appendTexture(h: h2.halved(), e: e2.halved(), d: d2.halved(), to: &out)
        return out
    }

    /// Regions per 10,000 px (a 50 µm square at 0.5 µm/px), log₂ in unit bins: 1 … 128+.
    static func densityBins(_ count: Int, of pixels: Int) -> [Float] {
        var b = [Float](repeating: 0, count: nucleusDensityBins)
        HistoBinning.addSoft(Float(log2(max(Double(count) * 10_000 / Double(max(pixels, 1)), 1))), to: &b)
        return b
    }

    static func appendTexture(h: HistoPlane, e: HistoPlane, d: HistoPlane, to out: inout [[Float]]) {
        for r in radii { out.append(powerNormalised(LBPHistogram(radius: r, tolerance: 0.02).counts(h))) }
        for r in radii { out.append(powerNormalised(LBPHistogram(radius: r, tolerance: 0.01).counts(d))) }
        for r in radii { out.append(powerNormalised(LBPHistogram(radius: r, tolerance: 0.02).counts(e))) }
        let gd = TextureGradients(knee: 0.01, ceiling: 0.4).measure(d)
        let gh = TextureGradients(knee: 0.02, ceiling: 0.8).measure(h)
        out.append(powerNormalised(gd.magnitude))
        out.append(powerNormalised(gh.magnitude))
        out.append(powerNormalised(gd.orientation))
        out.append(powerNormalised([gd.coherence, 1 - gd.coherence]))
    }

    /// A histogram normalised to sum 1 and square-rooted (power normalisation), so its L2 norm is 1.
    /// An empty histogram (a tile too small for the radius) gives zeros.
    static func powerNormalised(_ hist: [Float]) -> [Float] {
        let total = hist.reduce(0) { $0 + max($1, 0) }
        return hist.map { total > 0 ? (max($0, 0) / total).squareRoot() : 0 }
    }

    @inline(__always)
    static func addJoint(_ a: Float, _ b: Float, to hist: inout [Float]) {
        let last = Float(jointBins - 1)
        let ca = min(max(a, 0), last), cb = min(max(b, 0), last)
        let ia = min(Int(ca), jointBins - 1), ib = min(Int(cb), jointBins - 1)
        let fa = ca - Float(ia), fb = cb - Float(ib)
        let ia1 = min(ia + 1, jointBins - 1), ib1 = min(ib + 1, jointBins - 1)
        hist[ia * jointBins + ib] += (1 - fa) * (1 - fb)
        hist[ia1 * jointBins + ib] += fa * (1 - fb)
        hist[ia * jointBins + ib1] += (1 - fa) * fb
        hist[ia1 * jointBins + ib1] += fa * fb
    }
}

enum HistoNormalisation {
    static func l2Normalise(_ v: inout [Float]) {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard n > 0 else { return }
        for i in v.indices { v[i] /= n }
    }
}
