public import AtlasCore
public import Foundation
public import Imaging

/// `histo-v1`: the built-in, weight-free H&E image encoder.
///
/// The image is shrunk to at most `workingMaxSide` pixels, its white point evened out (`HistoWhitePoint`),
/// stain-normalised once (Macenko, see `StainNormalizer`),
/// and cut into `tileSize` tiles; each tile gets a texture-and-stain vector (`HistologyTileFeatures`). The whole-image
/// vector is the mean of the tile vectors, L2-normalised. Deterministic: the same pixels give the same bits.
public struct HistologyDescriptor: ImageEncoder {
    public let id = "histo-v1"
    public var normalizer: StainNormalizer
    public var tileSize: Int
    public var workingMaxSide: Int
    public var limits: ImageLimits

    public init(normalizer: StainNormalizer = StainNormalizer(), tileSize: Int = 224, workingMaxSide: Int = 1024,
                limits: ImageLimits = ImageLimits()) {
        self.normalizer = normalizer
        self.tileSize = tileSize
        self.workingMaxSide = max(1, workingMaxSide)
        self.limits = limits
    }

    public var dimension: Int { HistologyTileFeatures.dimension }

    /// The descriptor has no weights; this hash names the feature recipe, so vectors of another recipe never mix.
    public var weightsHash: String {
        Self.fnv1a("\(Self.recipe) tile=\(tileSize) work=\(workingMaxSide) dim=\(dimension)")
    }

    /// Bump when any feature, bin or weight changes.
    static let recipe = "histo-v1.3 dominant-stain-fallback weights(h1.5,j.5,s.5,d1,n.25/.25/.5/1,l.25/.5,lbp2/1.5/1,g.5,o.25,c1;coarse 1/.75/1/.25/0/.5) white(p99,x1-1.25) blobs(count) strength(/1.25) macenko(beta=0.15,alpha=1) hist10+joint6+density10 lbp-riu2(r1,2,3;H,D,E) grad octaves=3"

    public func embed(imageData: Data, name: String) throws -> ImageEmbedding {
        let image: RGBImage
        do {
            image = try ImageCodec.decode(imageData, name: name, limits: limits)
        } catch let error as ImageError {
            throw AtlasError(Self.code(for: error.code), "embedding image with histo-v1: \(error.message)")
        }
        return embed(image)
    }

    public func embed(_ image: RGBImage) -> ImageEmbedding {
        let working = HistoWhitePoint.balanced(image.downscaled(maxSide: workingMaxSide))
        let normalization = normalizer.normalization(working)
        let concentrations = normalization.concentrations
        let h = HistoPlane(width: working.width, height: working.height, values: concentrations.haematoxylin)
        let e = HistoPlane(width: working.width, height: working.height, values: concentrations.eosin)
        // Rects are reported in the original image's pixels.
        let sx = Double(image.width) / Double(max(working.width, 1))
        let sy = Double(image.height) / Double(max(working.height, 1))

        var tiles: [TileEmbedding] = []
        var sum = [Float](repeating: 0, count: dimension)
        for r in Tiler(tileSize: tileSize).tiles(width: working.width, height: working.height) {
            let v = HistologyTileFeatures.vector(
                haematoxylin: h.cropped(x: r.x, y: r.y, width: r.width, height: r.height),
                eosin: e.cropped(x: r.x, y: r.y, width: r.width, height: r.height),
                strength: normalization.strength)
            for i in v.indices { sum[i] += v[i] }
            let x0 = Int((Double(r.x) * sx).rounded()), y0 = Int((Double(r.y) * sy).rounded())
            let x1 = Int((Double(r.x + r.width) * sx).rounded()), y1 = Int((Double(r.y + r.height) * sy).rounded())
            tiles.append(TileEmbedding(rect: TileRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0), vector: v))
        }
        HistoNormalisation.l2Normalise(&sum)
        return ImageEmbedding(width: image.width, height: image.height, vector: sum, tiles: tiles)
    }

    static func code(for code: ImageError.Code) -> AtlasError.Code {
        switch code {
        case .tooLarge: .imageTooLarge
        case .unsupportedFormat: .unsupportedImage
        case .empty, .corrupt, .io: .corruptImage
        }
    }

    static func fnv1a(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return "histo-v1:" + String(h, radix: 16)
    }
}
