#if DEBUG || ATLASQA_TUNING
@testable import Encoders
import Imaging

/// The peer the quality bar names: plain colour deconvolution with fixed reference stains (no stain
/// normalisation, no white balance) and LBP. H and E amount histograms plus riu2 LBP of the haematoxylin and
/// grey (mean optical density) channels at R = 1, 2, 3; each block a square-rooted histogram, all L2-normalised.
/// Only the evaluation harness uses it, to put histo-v1's figures beside a known baseline measured in the same run.
enum PlainDeconvolutionLBP {
    static func vector(_ image: RGBImage) -> [Float] {
        let c = ColourDeconvolution.concentrations(of: image, stains: .macenkoReference)
        let h = HistoPlane(width: c.width, height: c.height, values: c.haematoxylin)
        var grey = h
        var hh = [Float](repeating: 0, count: 16), he = hh
        for i in grey.values.indices {
            let r = ColourDeconvolution.opticalDensityTable[Int(image.pixels[3 * i])]
            let g = ColourDeconvolution.opticalDensityTable[Int(image.pixels[3 * i + 1])]
            let b = ColourDeconvolution.opticalDensityTable[Int(image.pixels[3 * i + 2])]
            grey.values[i] = (r + g + b) / 3
            HistoBinning.addSoft(c.haematoxylin[i] / 2.5 * 15, to: &hh)
            HistoBinning.addSoft(c.eosin[i] / 1.5 * 15, to: &he)
        }
        var blocks = [hh, he]
        for r in [1.0, 2, 3] {
            blocks.append(LBPHistogram(radius: r, tolerance: 0.02).counts(h))
            blocks.append(LBPHistogram(radius: r, tolerance: 0.01).counts(grey))
        }
        var out = blocks.flatMap { HistologyTileFeatures.powerNormalised($0) }
        HistoNormalisation.l2Normalise(&out)
        return out
    }
}
#endif
