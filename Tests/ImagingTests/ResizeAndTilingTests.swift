import Imaging
import Testing

struct ResizeTests {
    /// Reference area average in Double, computed pixel by pixel from the coverage definition.
    static func referenceDownscale(_ image: RGBImage, width tw: Int, height th: Int) -> [Double] {
        let sx = Double(image.width) / Double(tw), sy = Double(image.height) / Double(th)
        var out = [Double](repeating: 0, count: tw * th * 3)
        for oy in 0..<th {
            for ox in 0..<tw {
                let x0 = Double(ox) * sx, x1 = Double(ox + 1) * sx
                let y0 = Double(oy) * sy, y1 = Double(oy + 1) * sy
                var sum = [0.0, 0.0, 0.0]
                for y in Int(y0.rounded(.down))..<min(image.height, Int(y1.rounded(.up))) {
                    let wy = min(y1, Double(y + 1)) - max(y0, Double(y))
                    for x in Int(x0.rounded(.down))..<min(image.width, Int(x1.rounded(.up))) {
                        let wx = min(x1, Double(x + 1)) - max(x0, Double(x))
                        for c in 0..<3 { sum[c] += wx * wy * Double(image.pixels[(y * image.width + x) * 3 + c]) }
                    }
                }
                for c in 0..<3 { out[(oy * tw + ox) * 3 + c] = sum[c] / (sx * sy) }
            }
        }
        return out
    }

    static func noise(width: Int, height: Int, seed: UInt32 = 12345) -> RGBImage {
        var state = seed
        let pixels = (0..<(width * height * 3)).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    @Test("a 4x4 black-and-white checkerboard averages to 2x2 mid-grey")
    func checker() {
        var pixels = [UInt8]()
        for y in 0..<4 {
            for x in 0..<4 { pixels += Array(repeating: (x + y) % 2 == 0 ? 0 : 255, count: 3) }
        }
        let small = RGBImage(width: 4, height: 4, pixels: pixels).downscaled(toWidth: 2, height: 2)
        #expect(small.width == 2 && small.height == 2)
        #expect(small.pixels == [UInt8](repeating: 128, count: 12))  // 127.5 rounded half up
    }

    @Test("integer ratio is the plain block mean")
    func blockMean() {
        let image = Self.noise(width: 6, height: 4)
        let small = image.downscaled(toWidth: 2, height: 2)
        for oy in 0..<2 {
            for ox in 0..<2 {
                for c in 0..<3 {
                    var sum = 0
                    for y in (oy * 2)..<(oy * 2 + 2) {
                        for x in (ox * 3)..<(ox * 3 + 3) { sum += Int(image.pixels[(y * 6 + x) * 3 + c]) }
                    }
                    let mean = Int((Double(sum) / 6).rounded())
                    #expect(Int(small.pixels[(oy * 2 + ox) * 3 + c]) == mean)
                }
            }
        }
    }

    @Test("fractional ratios weigh partly covered pixels by coverage",
          arguments: [(7, 5, 3, 2), (10, 10, 3, 3), (5, 3, 4, 2), (100, 37, 23, 11), (3, 3, 7, 5)])
    func fractional(sw: Int, sh: Int, tw: Int, th: Int) {
        let image = Self.noise(width: sw, height: sh)
        let resized = image.downscaled(toWidth: tw, height: th)
        let reference = Self.referenceDownscale(image, width: tw, height: th)
        let worst = zip(resized.pixels, reference).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst <= 0.5 + 1e-3, "largest deviation from the exact area average: \(worst)")
    }

    @Test("a flat image stays flat at any size")
    func flat() {
        let image = RGBImage(width: 333, height: 201, fill: (200, 100, 37))
        let small = image.downscaled(toWidth: 97, height: 64)
        #expect(small.pixels == RGBImage(width: 97, height: 64, fill: (200, 100, 37)).pixels)
    }

    @Test("maxSide keeps the aspect ratio and leaves small images alone")
    func maxSide() {
        let image = Self.noise(width: 1000, height: 600)
        let small = image.downscaled(maxSide: 224)
        #expect(small.width == 224 && small.height == 134)
        let tall = Self.noise(width: 30, height: 900).downscaled(maxSide: 224)
        #expect(tall.width == 7 && tall.height == 224)
        #expect(image.downscaled(maxSide: 1000) == image)
    }

    @Test("cropping copies exactly the requested pixels")
    func crop() {
        let image = Self.noise(width: 9, height: 7)
        let rect = PixelRect(x: 2, y: 3, width: 5, height: 3)
        let crop = image.cropped(rect)
        #expect(crop.width == 5 && crop.height == 3)
        for y in 0..<3 {
            for x in 0..<5 {
                for c in 0..<3 {
                    #expect(crop.pixels[(y * 5 + x) * 3 + c] == image.pixels[((y + 3) * 9 + x + 2) * 3 + c])
                }
            }
        }
        #expect(image.cropped(PixelRect(x: 0, y: 0, width: 9, height: 7)) == image)
    }
}

struct TilerTests {
    /// Every pixel is in at least one tile and every tile lies inside the image.
    static func expectCovers(_ tiles: [PixelRect], width: Int, height: Int) {
        var covered = [Bool](repeating: false, count: width * height)
        for tile in tiles {
            #expect(tile.fits(width: width, height: height), "\(tile) outside \(width)x\(height)")
            for y in tile.y..<tile.maxY {
                for x in tile.x..<tile.maxX { covered[y * width + x] = true }
            }
        }
        #expect(!covered.contains(false), "some pixels of \(width)x\(height) are in no tile")
    }

    @Test("tiles cover the image and stay full-size",
          arguments: [(224, 224), (225, 224), (500, 300), (448, 672), (1000, 999), (2048, 1536)])
    func coverage(width: Int, height: Int) {
        let tiler = Tiler()
        let tiles = tiler.tiles(width: width, height: height)
        Self.expectCovers(tiles, width: width, height: height)
        #expect(tiles.allSatisfy { $0.width == 224 && $0.height == 224 })
        #expect(tiles.count == tiler.count(width: width, height: height))
        #expect(Set(tiles).count == tiles.count, "no duplicate tiles")
        let expected = ((width + 223) / 224) * ((height + 223) / 224)
        #expect(tiles.count == expected)
    }

    @Test("an image smaller than a tile is one whole-image tile; a thin one is a row of clipped tiles")
    func small() {
        #expect(Tiler().tiles(width: 100, height: 80) == [PixelRect(x: 0, y: 0, width: 100, height: 80)])
        let strip = Tiler(tileSize: 64).tiles(width: 150, height: 40)
        #expect(strip == [
            PixelRect(x: 0, y: 0, width: 64, height: 40), PixelRect(x: 64, y: 0, width: 64, height: 40),
            PixelRect(x: 86, y: 0, width: 64, height: 40),
        ])
        Self.expectCovers(strip, width: 150, height: 40)
        #expect(Tiler().tiles(width: 0, height: 10).isEmpty)
    }

    @Test("the last tile per axis is shifted inward to end at the edge")
    func edgeShift() {
        let tiles = Tiler(tileSize: 100).tiles(width: 250, height: 100)
        #expect(tiles.map(\.x) == [0, 100, 150])
        #expect(tiles.allSatisfy { $0.y == 0 && $0.maxX <= 250 })
    }
}
