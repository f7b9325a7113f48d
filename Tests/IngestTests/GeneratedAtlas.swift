import AtlasCore
import Foundation
import Imaging

/// Synthetic H&E-like fields: pink stroma with purple nuclei whose colour, size and density depend on
/// `kind`, so images of one kind look alike and kinds differ. Deterministic for a given seed.
enum SyntheticTissue {
    static func image(kind: Int, seed: UInt64, width: Int = 160, height: Int = 128) -> RGBImage {
        var rng = SplitMix(seed: seed &* 0x9E37_79B9 &+ UInt64(kind))
        let background: (Double, Double, Double) = [(236, 190, 214), (245, 225, 230), (220, 160, 190), (250, 240, 245)][kind % 4]
        let nucleus: (Double, Double, Double) = [(90, 50, 140), (130, 80, 160), (60, 30, 110), (150, 110, 170)][kind % 4]
        let radius = [3.0, 6.0, 2.0, 9.0][kind % 4]
        let count = [220, 60, 400, 25][kind % 4]
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let n = rng.unit() * 12 - 6
                let i = (y * width + x) * 3
                pixels[i] = clamp(background.0 + n)
                pixels[i + 1] = clamp(background.1 + n)
                pixels[i + 2] = clamp(background.2 + n)
            }
        }
        for _ in 0..<count {
            let cx = rng.unit() * Double(width), cy = rng.unit() * Double(height)
            let r = radius * (0.7 + 0.6 * rng.unit())
            for y in max(0, Int(cy - r))..<min(height, Int(cy + r) + 1) {
                for x in max(0, Int(cx - r))..<min(width, Int(cx + r) + 1) {
                    let dx = Double(x) - cx, dy = Double(y) - cy
                    guard dx * dx + dy * dy <= r * r else { continue }
                    let i = (y * width + x) * 3
                    pixels[i] = clamp(nucleus.0)
                    pixels[i + 1] = clamp(nucleus.1)
                    pixels[i + 2] = clamp(nucleus.2)
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private static func clamp(_ v: Double) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Writes a folder atlas of `count` entries (kinds cycle 0…3), each with one or two PNG/JPEG images.
func writeGeneratedAtlas(_ atlas: TempAtlas, count: Int, imagesPerEntry: Int = 2) throws {
    for n in 0..<count {
        let id = "entry-\(n)"
        var imageLines: [String] = []
        for k in 0..<imagesPerEntry {
            let image = SyntheticTissue.image(kind: n % 4, seed: UInt64(n * 10 + k))
            let jpeg = k % 2 == 1
            let file = "field-\(k).\(jpeg ? "jpg" : "png")"
            try atlas.write("\(id)/\(file)", jpeg ? try ImageCodec.encodeJPEG(image, quality: 92) : try ImageCodec.encodePNG(image))
            imageLines.append("  - file: \(file)\n    caption: Field \(k) of entry \(n)")
        }
        try atlas.write("\(id)/entry.md", """
            ---
            title: Entry \(n)
            organ: colon
            source: generated for tests
            images:
            \(imageLines.joined(separator: "\n"))
            ---
            ## Microscopic features
            Kind \(n % 4) tissue with nuclei, entry number \(n).
            ## 镜下特点
            第\(n)号条目的组织。
            """)
    }
}
