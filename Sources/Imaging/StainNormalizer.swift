import Foundation

/// What Macenko's method found in one image: its stain directions and how much of each dye its darkest tissue holds.
public struct StainEstimate: Sendable, Hashable {
    public var stains: StainMatrix
    /// Robust maxima (the 99th percentile over tissue pixels) of the H and E amounts.
    public var maxConcentrations: SIMD2<Double>
    /// Share of the sampled pixels that are tissue (optical density at least the background threshold).
    public var tissueFraction: Double

    public init(stains: StainMatrix, maxConcentrations: SIMD2<Double>, tissueFraction: Double) {
        self.stains = stains
        self.maxConcentrations = maxConcentrations
        self.tissueFraction = tissueFraction
    }
}

/// A stain-normalised image and how its stains were found.
public struct StainNormalization: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// The image's own stains were estimated and mapped onto the reference.
        case estimated(StainEstimate)
        /// The image gave no trustworthy estimate (too little tissue, one stain only, implausible hues);
        /// it was unmixed with the reference stains instead. `reason` says why.
        case reference(reason: String)
    }

    /// H and E amounts on the reference's scale (the reference's robust maxima are 1.9705 and 1.0308).
    public var concentrations: StainConcentrations
    public var source: Source
    /// How strongly the image was stained relative to the reference (1 = as strong; H and E): the factor the
    /// normalisation divided the amounts by.
    public var strength: SIMD2<Double>

    public init(concentrations: StainConcentrations, source: Source, strength: SIMD2<Double>) {
        self.concentrations = concentrations
        self.source = source
        self.strength = strength
    }

    public var usedReference: Bool {
        if case .reference = source { return true }
        return false
    }
}

/// Macenko et al. (2009) stain normalisation: estimate an image's H and E directions from the
/// plane of its tissue's optical densities, unmix, rescale the amounts to a reference, repaint.
///
/// Pure Swift: a 3×3 Jacobi eigen-solve, percentiles over a bounded pixel sample, table-driven
/// optical density; the per-pixel passes allocate nothing.
public struct StainNormalizer: Sendable, Hashable {
    public var referenceStains: StainMatrix
    public var referenceMaxConcentrations: SIMD2<Double>
    /// Pixels whose optical density vector is shorter than this are background (Macenko's β). The length, not
    /// every channel, so that pale eosin (which hardly absorbs red) still counts as tissue.
    public var backgroundThreshold: Float
    /// Percentile (Macenko's α) of the angle distribution taken as each stain's direction.
    public var anglePercentile: Double
    /// Percentile of each dye's amount taken as its robust maximum.
    public var concentrationPercentile: Double
    /// Fewer tissue pixels than this and the estimate is not trusted.
    public var minimumTissuePixels: Int
    /// A smaller share of tissue than this (specks on glass) is not trusted either.
    public var minimumTissueFraction: Double
    /// An estimated stain further than this (degrees) from its reference is implausible (e.g. two shades of one dye).
    public var maximumDeviation: Double
    /// Estimated H and E closer than this (degrees) are one stain.
    public var minimumSeparation: Double
    /// At most this many pixels (an even grid) are used for the estimate.
    public var maximumSamples: Int

    public init(
        referenceStains: StainMatrix = .macenkoReference,
        referenceMaxConcentrations: SIMD2<Double> = [1.9705, 1.0308],
        backgroundThreshold: Float = 0.15,
        anglePercentile: Double = 1,
        concentrationPercentile: Double = 99,
        minimumTissuePixels: Int = 64,
        minimumTissueFraction: Double = 0.03,
        maximumDeviation: Double = 40,
        minimumSeparation: Double = 4,
        maximumSamples: Int = 12_000
    ) {
        self.referenceStains = referenceStains
        self.referenceMaxConcentrations = referenceMaxConcentrations
        self.backgroundThreshold = backgroundThreshold
        self.anglePercentile = anglePercentile
        self.concentrationPercentile = concentrationPercentile
        self.minimumTissuePixels = minimumTissuePixels
        self.minimumTissueFraction = minimumTissueFraction
        self.maximumDeviation = maximumDeviation
        self.minimumSeparation = minimumSeparation
        self.maximumSamples = maximumSamples
    }

    /// The image's own stains, or nil when it gives no trustworthy estimate (see `normalization(_:)` for why).
    public func estimate(_ image: RGBImage) -> StainEstimate? {
        if case .success(let e) = estimation(image) { return e }
        return nil
    }

    /// H and E amounts of every pixel, on the reference's scale.
    public func concentrations(_ image: RGBImage) -> StainConcentrations {
        normalization(image).concentrations
    }

    /// The image repainted with the reference stains at the reference's strength.
    public func normalized(_ image: RGBImage) -> RGBImage {
        ColourDeconvolution.compose(normalization(image).concentrations, stains: referenceStains)
    }

    /// Normalised H and E amounts and how the stains were found (estimated, or the reference as a fallback).
    public func normalization(_ image: RGBImage) -> StainNormalization {
        switch estimation(image) {
        case .success(let e):
            var c = ColourDeconvolution.concentrations(of: image, stains: e.stains)
            let scale = referenceMaxConcentrations / e.maxConcentrations
            Self.scale(&c, by: SIMD2<Float>(scale))
            return StainNormalization(concentrations: c, source: .estimated(e), strength: 1 / scale)
        case .failure(let why):
            var c = ColourDeconvolution.concentrations(of: image, stains: dominantStainFallback(image) ?? referenceStains)
            let scale = fallbackScale(c)
            Self.scale(&c, by: SIMD2<Float>(repeating: Float(scale)))
            return StainNormalization(concentrations: c, source: .reference(reason: why.reason), strength: [1 / scale, 1 / scale])
        }
    }

    /// For a field dominated by one dye (blood, eosin-only stroma, a sheet of nuclei) Macenko cannot find two
    /// extremes, but the mean optical density still gives that dye's direction. Unmixing with it, and the
    /// reference for the other dye, keeps an orange eosin from being read as haematoxylin. Nil when the field
    /// has too little tissue or its colour is near neither reference dye.
    func dominantStainFallback(_ image: RGBImage) -> StainMatrix? {
        let sampled = tissueSample(image)
        let needed = max(minimumTissuePixels, Int((minimumTissueFraction * Double(sampled.count)).rounded(.up)))
        guard sampled.tissue.count >= needed else { return nil }
        var sum = SIMD3<Float>(repeating: 0)
        for od in sampled.tissue { sum += od }
        let length = (sum * sum).sum().squareRoot()
        guard length > 0 else { return nil }
        let dominant = SIMD3<Double>(sum / length)
        let toH = StainMatrix.angle(dominant, referenceStains.haematoxylin)
        let toE = StainMatrix.angle(dominant, referenceStains.eosin)
        guard min(toH, toE) <= maximumDeviation else { return nil }
        let stains = toE <= toH
            ? StainMatrix(haematoxylin: referenceStains.haematoxylin, eosin: dominant)
            : StainMatrix(haematoxylin: dominant, eosin: referenceStains.eosin)
        guard StainMatrix.angle(stains.haematoxylin, stains.eosin) >= minimumSeparation else { return nil }
        return stains
    }

    struct Unreliable: Error {
        var reason: String
    }

    /// Macenko's estimate, or why there is none.
    func estimation(_ image: RGBImage) -> Result<StainEstimate, Unreliable> {
        let sampled = tissueSample(image)
        let tissue = sampled.tissue
        let needed = max(minimumTissuePixels, Int((minimumTissueFraction * Double(sampled.count)).rounded(.up)))
        guard tissue.count >= needed else {
            return .failure(Unreliable(reason: "too little tissue (\(tissue.count) of \(sampled.count) sampled pixels)"))
        }
        let fraction = Double(tissue.count) / Double(max(sampled.count, 1))

        // The plane of the two largest principal directions of the tissue's optical densities.
        let eig = StainEigenSolver.symmetricEigen(Self.covariance(tissue))
        var v1 = eig[0].vector
        var v2 = eig[1].vector
        if v1.sum() < 0 { v1 = -v1 }
        if v2.x < v2.z { v2 = -v2 }  // fixes the orientation so angles (and ties) come out the same every run
        let f1 = SIMD3<Float>(v1), f2 = SIMD3<Float>(v2)
        var angles = [Float](repeating: 0, count: tissue.count)
        for (i, od) in tissue.enumerated() {
            angles[i] = atan2f((od * f2).sum(), (od * f1).sum())
        }
        angles.sort()
        let lo = Double(Self.percentile(sorted: angles, anglePercentile))
        let hi = Double(Self.percentile(sorted: angles, 100 - anglePercentile))
        let a = v1 * cos(lo) + v2 * sin(lo)
        let b = v1 * cos(hi) + v2 * sin(hi)
        // Haematoxylin absorbs more red than eosin does: that orders the two extremes.
        let stains = a.x >= b.x
            ? StainMatrix(haematoxylin: a, eosin: b) : StainMatrix(haematoxylin: b, eosin: a)

        let separation = StainMatrix.angle(stains.haematoxylin, stains.eosin)
        guard separation >= minimumSeparation else {
            return .failure(Unreliable(reason: String(format: "one stain only (H and E %.1f° apart)", separation)))
        }
        let deviation = stains.maximumAngle(to: referenceStains)
        guard deviation <= maximumDeviation else {
            return .failure(Unreliable(reason: String(format: "implausible stains %@ (%.1f° from the reference)", stains.description, deviation)))
        }
        // Two shades of one dye (orange blood, pale and dark eosin) can pass the checks above; an "H" that is
        // nearer the eosin reference than the haematoxylin one is such a case.
        if StainMatrix.angle(stains.haematoxylin, referenceStains.eosin) < StainMatrix.angle(stains.haematoxylin, referenceStains.haematoxylin) {
            return .failure(Unreliable(reason: "one stain only (both extremes are eosin-like)"))
        }
        let maxC = maxConcentrations(tissue, stains: stains)
        guard maxC.x > 0.05, maxC.y > 0.05 else {
            return .failure(Unreliable(reason: String(format: "one stain only (robust maxima H %.3f, E %.3f)", maxC.x, maxC.y)))
        }
        return .success(StainEstimate(stains: stains, maxConcentrations: maxC, tissueFraction: fraction))
    }

    /// Optical densities of the tissue pixels on an even grid of at most `maximumSamples` pixels.
    func tissueSample(_ image: RGBImage) -> (tissue: [SIMD3<Float>], count: Int) {
        let n = image.width * image.height
        let step = max(1, Int((Double(n) / Double(max(maximumSamples, 1))).rounded(.up)))
        var tissue: [SIMD3<Float>] = []
        tissue.reserveCapacity(n / step + 1)
        var count = 0
        let beta2 = backgroundThreshold * backgroundThreshold
        ColourDeconvolution.opticalDensityTable.withUnsafeBufferPointer { od in
            image.pixels.withUnsafeBufferPointer { px in
                var i = 0
                while i < n {
                    let v = SIMD3(od[Int(px[3 * i])], od[Int(px[3 * i + 1])], od[Int(px[3 * i + 2])])
                    if (v * v).sum() >= beta2 { tissue.append(v) }
                    count += 1
                    i += step
                }
            }
        }
        return (tissue, count)
    }

    func maxConcentrations(_ tissue: [SIMD3<Float>], stains: StainMatrix) -> SIMD2<Double> {
        let (rh, re) = stains.unmixingRows
        let fh = SIMD3<Float>(rh), fe = SIMD3<Float>(re)
        var h = tissue.map { ($0 * fh).sum() }
        var e = tissue.map { ($0 * fe).sum() }
        h.sort()
        e.sort()
        return [Double(Self.percentile(sorted: h, concentrationPercentile)), Double(Self.percentile(sorted: e, concentrationPercentile))]
    }

    /// With the reference stains, one common factor brings the dominant dye's robust maximum to the reference's;
    /// one factor for both so that a missing dye's noise is not blown up.
    func fallbackScale(_ c: StainConcentrations) -> Double {
        var h: [Float] = [], e: [Float] = []
        let step = max(1, c.haematoxylin.count / max(maximumSamples, 1))
        for i in stride(from: 0, to: c.haematoxylin.count, by: step) where c.haematoxylin[i] + c.eosin[i] > backgroundThreshold {
            h.append(c.haematoxylin[i])
            e.append(c.eosin[i])
        }
        let needed = max(minimumTissuePixels, Int((minimumTissueFraction * Double(c.haematoxylin.count / step)).rounded(.up)))
        guard h.count >= needed else { return 1 }
        h.sort()
        e.sort()
        let rh = Double(Self.percentile(sorted: h, concentrationPercentile)) / referenceMaxConcentrations.x
        let re = Double(Self.percentile(sorted: e, concentrationPercentile)) / referenceMaxConcentrations.y
        let dominant = max(rh, re)
        guard dominant > 0.05 else { return 1 }
        return min(2, max(0.5, 1 / dominant))
    }

    static func scale(_ c: inout StainConcentrations, by s: SIMD2<Float>) {
        for i in c.haematoxylin.indices {
            c.haematoxylin[i] *= s.x
            c.eosin[i] *= s.y
        }
    }

    static func covariance(_ xs: [SIMD3<Float>]) -> [[Double]] {
        var mean = SIMD3<Double>.zero
        for x in xs { mean += SIMD3<Double>(x) }
        mean /= Double(xs.count)
        var c = [[Double]](repeating: [0, 0, 0], count: 3)
        for x in xs {
            let d = SIMD3<Double>(x) - mean
            for i in 0..<3 {
                for j in i..<3 { c[i][j] += d[i] * d[j] }
            }
        }
        for i in 0..<3 {
            for j in i..<3 {
                c[i][j] /= Double(max(xs.count - 1, 1))
                c[j][i] = c[i][j]
            }
        }
        return c
    }

    /// Linear-interpolated percentile (NumPy's default) of an ascending array.
    static func percentile(sorted xs: [Float], _ p: Double) -> Float {
        guard !xs.isEmpty else { return 0 }
        let pos = min(max(p, 0), 100) / 100 * Double(xs.count - 1)
        let i = Int(pos)
        let f = Float(pos - Double(i))
        return i + 1 < xs.count ? xs[i] * (1 - f) + xs[i + 1] * f : xs[i]
    }
}
