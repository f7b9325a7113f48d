import Imaging
import Testing

@Suite struct StainNormalizerTests {
    let tissue = syntheticConcentrations(width: 160, height: 160, nuclei: 70, seed: 7)

    @Test(arguments: [
        StainMatrix.macenkoReference,
        StainMatrix.ruifrok,
        StainMatrix.macenkoReference.hueRotated(haematoxylin: 8, eosin: -6),
        StainMatrix(haematoxylin: [0.60, 0.72, 0.35], eosin: [0.15, 0.85, 0.50]),
    ])
    func recoversTheStainsAnImageWasPaintedWith(_ known: StainMatrix) {
        let normalization = StainNormalizer().normalization(ColourDeconvolution.compose(tissue, stains: known))
        guard case .estimated(let estimate) = normalization.source else {
            Issue.record("no estimate: \(normalization.source)")
            return
        }
        #expect(StainMatrix.angle(estimate.stains.haematoxylin, known.haematoxylin) < 5, "H: \(estimate.stains) vs \(known)")
        #expect(StainMatrix.angle(estimate.stains.eosin, known.eosin) < 5, "E: \(estimate.stains) vs \(known)")
    }

    @Test func twoStainingsOfOneTissueNormaliseToNearlyTheSameImage() throws {
        let a = ColourDeconvolution.compose(tissue, stains: .macenkoReference)
        let b = StainRestaining(target: StainMatrix.ruifrok.hueRotated(haematoxylin: 3, eosin: -3), strength: [1.35, 0.7]).apply(a)
        #expect(meanAbsoluteDifference(a, b) > 20, "the re-staining must be a visible change")
        let normalizer = StainNormalizer()
        let na = normalizer.normalized(a), nb = normalizer.normalized(b)
        #expect(meanAbsoluteDifference(na, nb) < 4, "\(normalizer.normalization(a).source) vs \(normalizer.normalization(b).source)")
    }

    @Test func normalisedAmountsDoNotDependOnStainingStrength() {
        let a = ColourDeconvolution.compose(tissue, stains: .macenkoReference)
        let weak = StainRestaining(strength: [0.7, 0.75]).apply(a)
        let normalizer = StainNormalizer()
        let ca = normalizer.concentrations(a), cw = normalizer.concentrations(weak)
        let hMean = zip(ca.haematoxylin, cw.haematoxylin).map { abs($0 - $1) }.reduce(0, +) / Float(ca.haematoxylin.count)
        #expect(hMean < 0.05)
    }

    @Test func backgroundOnlyFallsBackToTheReferenceAndSaysWhy() {
        let blank = RGBImage(width: 64, height: 64, fill: (250, 251, 249))
        let normalizer = StainNormalizer()
        #expect(normalizer.estimate(blank) == nil)
        let result = normalizer.normalization(blank)
        guard case .reference(let reason) = result.source else {
            Issue.record("expected a fallback, got \(result.source)")
            return
        }
        #expect(reason.contains("too little tissue"))
        #expect(normalizer.normalized(blank).pixels.allSatisfy { $0 >= 245 }, "a blank slide stays blank")
    }

    @Test func aSingleStainIsNotSplitIntoTwo() {
        // Eosin only (muscle-like): no haematoxylin to find, so the estimate must not invent one.
        let eosinOnly = StainConcentrations(width: tissue.width, height: tissue.height,
                                            haematoxylin: [Float](repeating: 0, count: tissue.eosin.count), eosin: tissue.eosin)
        let image = ColourDeconvolution.compose(eosinOnly, stains: .macenkoReference)
        let result = StainNormalizer().normalization(image)
        #expect(result.usedReference, "got \(result.source)")
        let meanH = result.concentrations.haematoxylin.reduce(0, +) / Float(eosinOnly.eosin.count)
        #expect(abs(meanH) < 0.05)
    }

    @Test func tinyImagesDoNotCrash() {
        for side in [0, 1, 3] {
            let image = RGBImage(width: side, height: side, fill: (120, 60, 160))
            let normalized = StainNormalizer().normalized(image)
            #expect(normalized.width == side && normalized.height == side)
        }
    }

    @Test func estimateIsDeterministic() {
        let image = ColourDeconvolution.compose(tissue, stains: .ruifrok)
        #expect(StainNormalizer().estimate(image) == StainNormalizer().estimate(image))
    }
}

func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
    precondition(a.pixels.count == b.pixels.count)
    var s = 0
    for i in a.pixels.indices { s += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
    return Double(s) / Double(max(a.pixels.count, 1))
}
