import Foundation

/// Haematoxylin and eosin amounts per pixel, row-major like the image they came from.
public struct StainConcentrations: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public var haematoxylin: [Float]
    public var eosin: [Float]

    public init(width: Int, height: Int, haematoxylin: [Float], eosin: [Float]) {
        precondition(haematoxylin.count == width * height && eosin.count == width * height, "planes must be width*height")
        self.width = width
        self.height = height
        self.haematoxylin = haematoxylin
        self.eosin = eosin
    }
}

/// Beer–Lambert conversions between 8-bit intensity and optical density, and stain (un)mixing.
///
/// OD = −ln((I + 1) / 256), so white (255) is exactly 0 and black (0) is ln 256 ≈ 5.55;
/// the inverse is I = 256·e^(−OD) − 1, rounded and clamped to 0…255.
public enum ColourDeconvolution {
    /// Optical density of each 8-bit intensity: a table, so no logarithm is taken per pixel.
    public static let opticalDensityTable: [Float] = (0..<256).map { Float(-log((Double($0) + 1) / 256)) }

    /// The 8-bit intensity of an optical density.
    @inline(__always)
    public static func intensity(opticalDensity od: Float) -> UInt8 {
        let v = 256 * expf(-od) - 1
        if !(v > 0) { return 0 }  // also catches NaN
        if v >= 255 { return 255 }
        return UInt8(v + 0.5)
    }

    /// Least-squares H and E amounts of every pixel under `stains`.
    public static func concentrations(of image: RGBImage, stains: StainMatrix) -> StainConcentrations {
        let n = image.width * image.height
        var h = [Float](repeating: 0, count: n)
        var e = [Float](repeating: 0, count: n)
        let (rh, re) = stains.unmixingRows
        let h0 = Float(rh.x), h1 = Float(rh.y), h2 = Float(rh.z)
        let e0 = Float(re.x), e1 = Float(re.y), e2 = Float(re.z)
        opticalDensityTable.withUnsafeBufferPointer { od in
            image.pixels.withUnsafeBufferPointer { px in
                h.withUnsafeMutableBufferPointer { hp in
                    e.withUnsafeMutableBufferPointer { ep in
                        for i in 0..<n {
                            let r = od[Int(px[3 * i])], g = od[Int(px[3 * i + 1])], b = od[Int(px[3 * i + 2])]
                            hp[i] = h0 * r + h1 * g + h2 * b
                            ep[i] = e0 * r + e1 * g + e2 * b
                        }
                    }
                }
            }
        }
        return StainConcentrations(width: image.width, height: image.height, haematoxylin: h, eosin: e)
    }

    /// Paints H and E amounts with `stains` back into RGB (negative amounts count as none).
    public static func compose(_ c: StainConcentrations, stains: StainMatrix) -> RGBImage {
        let n = c.width * c.height
        var pixels = [UInt8](repeating: 255, count: n * 3)
        let hv = SIMD3<Float>(stains.haematoxylin), ev = SIMD3<Float>(stains.eosin)
        c.haematoxylin.withUnsafeBufferPointer { hp in
            c.eosin.withUnsafeBufferPointer { ep in
                pixels.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        let od = hv * max(hp[i], 0) + ev * max(ep[i], 0)
                        out[3 * i] = intensity(opticalDensity: od.x)
                        out[3 * i + 1] = intensity(opticalDensity: od.y)
                        out[3 * i + 2] = intensity(opticalDensity: od.z)
                    }
                }
            }
        }
        return RGBImage(width: c.width, height: c.height, pixels: pixels)
    }
}
