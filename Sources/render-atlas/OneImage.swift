import ArgumentParser
import Illustration

/// One illustration, e.g. for a demo query image that is not in the atlas.
struct OneImage: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "one", abstract: "Render a single image.")

    @Option(help: "Morphology (atlas entry id), e.g. colon-adenocarcinoma.")
    var morphology: String

    @Option(help: "Stain style: \(StainStyle.presetNames.joined(separator: ", ")), or random-SEED.")
    var style = "unseen-1"

    @Option(help: "Layout seed.")
    var seed: UInt64 = 7

    @Option(help: "Image width and height in pixels.")
    var size = 256

    @Option(help: "Output file (.png, .jpg or .ppm).")
    var out: String

    func validate() throws {
        guard Morphology(rawValue: morphology) != nil else {
            throw ValidationError("unknown morphology '\(morphology)'; known: \(Morphology.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard StainStyle.named(style) != nil else {
            throw ValidationError("unknown style '\(style)'; known: \(StainStyle.presetNames.joined(separator: ", ")), random-SEED")
        }
        guard (16...4096).contains(size) else { throw ValidationError("--size must be between 16 and 4096") }
        try ImageFile.checkExtension(out)
    }

    func run() throws {
        guard let morphology = Morphology(rawValue: morphology), let style = StainStyle.named(style) else { return }
        let image = HistologyRenderer().render(morphology, style: style, size: size, seed: seed)
        try ImageFile.write(image, to: out)
        print(out)
    }
}
