public import AtlasCore
public import Foundation
public import Imaging

/// `histo-v1`: the built-in, weight-free H&E image encoder.
///
/// The image is shrunk to at most `workingMaxSide` pixels, stain-normalised once (Macenko, see `StainNormalizer`),
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
        self.workingMaxSide = workingMaxSide
        self.limits = limits
    }

    public var dimension: Int { HistologyTileFeatures.dimension }

    /// The descriptor has no weights; this hash names the feature recipe, so vectors of another recipe never mix.
    public var weightsHash: String {
        Self.fnv1a("\(Self.recipe) tile=\(tileSize) work=\(workingMaxSide) dim=\(dimension)")
    }

    /// Bump when any feature, bin or weight changes.
    static let recipe = "histo-v1.0 macenko(beta=0.15,alpha=1) hist10+joint6 lbp-riu2(r1,2,3;H,D) grad octaves=2"

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
        let working = HistologyWorkingImage.shrunk(image, maxSide: workingMaxSide)
        let concentrations = normalizer.normalization(working).concentrations
        let h = HistoPlane(width: working.width, height: working.height, values: concentrations.haematoxylin)
        let e = HistoPlane(width: working.width, height: working.height, values: concentrations.eosin)
        // Rects are reported in the original image's pixels.
        let sx = Double(image.width) / Double(max(working.width, 1))
        let sy = Double(image.height) / Double(max(working.height, 1))

        var tiles: [TileEmbedding] = []
        var sum = [Float](repeating: 0, count: dimension)
        for r in HistologyTileGrid.rects(width: working.width, height: working.height, tileSize: tileSize) {
            let v = HistologyTileFeatures.vector(
                haematoxylin: h.cropped(x: r.x, y: r.y, width: r.width, height: r.height),
                eosin: e.cropped(x: r.x, y: r.y, width: r.width, height: r.height))
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

/// Where tiles go: a grid of `tileSize` squares whose last row and column are pulled back to end at the edge,
/// so every tile is whole and the union is the image. An image smaller than a tile is one tile.
enum HistologyTileGrid {
    static func rects(width: Int, height: Int, tileSize: Int) -> [(x: Int, y: Int, width: Int, height: Int)] {
        guard width > 0, height > 0 else { return [] }
        let xs = starts(width, tileSize), ys = starts(height, tileSize)
        let w = min(width, tileSize), h = min(height, tileSize)
        return ys.flatMap { y in xs.map { x in (x: x, y: y, width: w, height: h) } }
    }

    static func starts(_ length: Int, _ tile: Int) -> [Int] {
        guard length > tile else { return [0] }
        var s = Array(stride(from: 0, to: length - tile, by: tile))
        s.append(length - tile)
        return s
    }
}

/// Area-averaging shrink to a working size (placeholder until Imaging's `downscaled(maxSide:)` lands).
enum HistologyWorkingImage {
    static func shrunk(_ image: RGBImage, maxSide: Int) -> RGBImage {
        let side = max(image.width, image.height)
        guard side > maxSide, maxSide > 0 else { return image }
        let scale = Double(maxSide) / Double(side)
        let w = max(1, Int((Double(image.width) * scale).rounded())), h = max(1, Int((Double(image.height) * scale).rounded()))
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            let y0 = y * image.height / h, y1 = max(y0 + 1, (y + 1) * image.height / h)
            for x in 0..<w {
                let x0 = x * image.width / w, x1 = max(x0 + 1, (x + 1) * image.width / w)
                var acc = SIMD3<Int>.zero
                for yy in y0..<y1 {
                    for xx in x0..<x1 {
                        let i = (yy * image.width + xx) * 3
                        acc &+= SIMD3(Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
                    }
                }
                let n = (y1 - y0) * (x1 - x0)
                let o = (y * w + x) * 3
                out[o] = UInt8((acc.x + n / 2) / n)
                out[o + 1] = UInt8((acc.y + n / 2) / n)
                out[o + 2] = UInt8((acc.z + n / 2) / n)
            }
        }
        return RGBImage(width: w, height: h, pixels: out)
    }
}
