import Foundation

/// Re-stains an image as another lab's H&E would look: unmix with known stains, scale each dye's amount,
/// repaint with (hue-shifted) stains, optionally brighten. Used to test stain invariance and to augment.
public struct StainRestaining: Sendable, Hashable {
    /// The stains the image is unmixed with.
    public var source: StainMatrix
    /// The stains it is repainted with.
    public var target: StainMatrix
    /// Factors on the H and E amounts (staining strength).
    public var strength: SIMD2<Double>
    /// Factor on the final intensities (1.15 = 15 % brighter), clamped to white.
    public var brightness: Double

    public init(source: StainMatrix = .macenkoReference, target: StainMatrix = .macenkoReference,
                strength: SIMD2<Double> = [1, 1], brightness: Double = 1) {
        self.source = source
        self.target = target
        self.strength = strength
        self.brightness = brightness
    }

    /// Whatever the two stains do not explain (the residual optical density) is kept as it was.
    public func apply(_ image: RGBImage) -> RGBImage {
        let c = ColourDeconvolution.concentrations(of: image, stains: source)
        let lut = (0..<256).map { UInt8(min(255, (Double($0) * brightness).rounded())) }
        let srcH = SIMD3<Float>(source.haematoxylin), srcE = SIMD3<Float>(source.eosin)
        let dstH = SIMD3<Float>(target.haematoxylin) * Float(strength.x)
        let dstE = SIMD3<Float>(target.eosin) * Float(strength.y)
        var out = image
        ColourDeconvolution.opticalDensityTable.withUnsafeBufferPointer { odTable in
            for i in 0..<(image.width * image.height) {
                let od = SIMD3(odTable[Int(image.pixels[3 * i])], odTable[Int(image.pixels[3 * i + 1])],
                               odTable[Int(image.pixels[3 * i + 2])])
                let h = c.haematoxylin[i], e = c.eosin[i]
                let residual = od - srcH * h - srcE * e
                let painted = residual + dstH * h + dstE * e
                for k in 0..<3 {
                    out.pixels[3 * i + k] = lut[Int(ColourDeconvolution.intensity(opticalDensity: painted[k]))]
                }
            }
        }
        return out
    }
}

extension StainMatrix {
    /// Both stains turned about the grey axis (a hue shift) by the given angles in degrees.
    public func hueRotated(haematoxylin dh: Double, eosin de: Double) -> StainMatrix {
        StainMatrix(haematoxylin: Self.rotateAboutGrey(haematoxylin, degrees: dh),
                    eosin: Self.rotateAboutGrey(eosin, degrees: de))
    }

    /// Rodrigues' rotation about (1, 1, 1)/√3.
    static func rotateAboutGrey(_ v: SIMD3<Double>, degrees: Double) -> SIMD3<Double> {
        let k = SIMD3<Double>(repeating: 1 / 3.0.squareRoot())
        let t = degrees * .pi / 180
        let kv = SIMD3(k.y * v.z - k.z * v.y, k.z * v.x - k.x * v.z, k.x * v.y - k.y * v.x)
        return v * cos(t) + kv * sin(t) + k * ((k * v).sum()) * (1 - cos(t))
    }
}
