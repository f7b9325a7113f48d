import ArgumentParser
import Illustration

/// The bundled atlas's two illustrations per entry: `<id>-1.png` pink and light, `<id>-2.jpg` blue and dark.
struct AtlasImages: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atlas", abstract: "Render Atlas/<id>/<id>-1.png and <id>-2.jpg for every morphology.")

    /// Fixed seeds: the atlas's pixels never change unless the renderer does.
    static let seeds: [UInt64] = [1, 2]

    @Option(help: "Atlas folder to write into.")
    var out = "Atlas"

    @Option(help: "Render only this entry id (repeatable).")
    var only: [String] = []

    @Option(help: "Image width and height in pixels.")
    var size = 256

    func validate() throws {
        for id in only where Morphology(rawValue: id) == nil {
            throw ValidationError("unknown morphology '\(id)'; known: \(Morphology.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (16...2048).contains(size) else { throw ValidationError("--size must be between 16 and 2048") }
    }

    func run() throws {
        let renderer = HistologyRenderer()
        let chosen = only.isEmpty ? Morphology.allCases : only.compactMap(Morphology.init(rawValue:))
        for morphology in chosen {
            let id = morphology.rawValue
            let files = ["\(id)-1.png", "\(id)-2.jpg"]
            for (index, style) in StainStyle.atlasStyles.enumerated() {
                let image = renderer.render(morphology, style: style, size: size, seed: Self.seeds[index])
                try ImageFile.write(image, to: "\(out)/\(id)/\(files[index])")
            }
            print("\(out)/\(id)/{\(files.joined(separator: ","))}")
        }
    }
}
