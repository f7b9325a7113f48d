import ArgumentParser
import Illustration
import Imaging

/// Every morphology side by side in one image, to look the renderer over at a glance.
struct ContactSheet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet", abstract: "Render all morphologies into one grid image (6 per row).")

    @Option(help: "Stain style name.")
    var style = "standard"

    @Option(help: "Layout seed.")
    var seed: UInt64 = 1

    @Option(help: "Tile size in pixels.")
    var size = 192

    @Option(help: "Only morphologies whose id starts with this prefix.")
    var prefix = ""

    @Option(help: "Output file (.png, .jpg or .ppm).")
    var out: String

    func validate() throws {
        try ImageFile.checkExtension(out)
        guard (16...1024).contains(size) else { throw ValidationError("--size must be between 16 and 1024") }
    }

    func run() throws {
        guard let style = StainStyle.named(style) else { throw ValidationError("unknown style '\(style)'") }
        let chosen = Morphology.allCases.filter { $0.rawValue.hasPrefix(prefix) }
        let columns = min(6, max(chosen.count, 1))
        let rows = (chosen.count + columns - 1) / columns
        let gap = 4
        let width = columns * (size + gap) - gap, height = rows * (size + gap) - gap
        var sheet = RGBImage(width: width, height: max(height, 1), fill: (255, 255, 255))
        let renderer = HistologyRenderer()
        for (n, morphology) in chosen.enumerated() {
            let tile = renderer.render(morphology, style: style, size: size, seed: seed)
            let ox = (n % columns) * (size + gap), oy = (n / columns) * (size + gap)
            for y in 0..<size {
                let src = y * size * 3
                let dst = ((oy + y) * width + ox) * 3
                sheet.pixels.replaceSubrange(dst..<(dst + size * 3), with: tile.pixels[src..<(src + size * 3)])
            }
        }
        try ImageFile.write(sheet, to: out)
        print(out)
    }
}
