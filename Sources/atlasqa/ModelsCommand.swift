import ArgumentParser
import AtlasCore
import Encoders
import Foundation

struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Installed encoders, their files and checksums, and what is missing."
    )

    @OptionGroup var options: GlobalOptions

    struct Listing: Encodable {
        var modelsDirectory: String
        var imageEncoders: [ImageEncoderInfo]
        var textEncoders: [ModelStatus]

        enum CodingKeys: String, CodingKey {
            case modelsDirectory = "models_directory"
            case imageEncoders = "image_encoders"
            case textEncoders = "text_encoders"
        }
    }

    struct ImageEncoderInfo: Encodable {
        var id: String
        var dimension: Int
        var weights: String
        var recipeHash: String

        enum CodingKeys: String, CodingKey {
            case id, dimension, weights
            case recipeHash = "recipe_hash"
        }
    }

    func run() async throws {
        try await Output.run(json: options.json) {
            let directory = options.modelsDirectory
            let histo = HistologyDescriptor()
            let listing = Listing(
                modelsDirectory: directory.path,
                imageEncoders: [ImageEncoderInfo(id: histo.id, dimension: histo.dimension, weights: "built in (no weights)", recipeHash: histo.weightsHash)],
                textEncoders: TextEncoderCatalog.status(modelsDirectory: directory)
            )
            if options.json {
                try Output.json(listing)
                return
            }
            var lines = ["models directory: \(listing.modelsDirectory)", "", "\(histo.id)  image, \(histo.dimension)-d, built in (no weights)"]
            for model in listing.textEncoders {
                lines.append("")
                lines.append("\(model.id)  text, \(model.dimension)-d, \(model.languages) — \(model.installed ? "installed" : "NOT installed")")
                for file in model.files {
                    let detail = file.present ? "\(file.bytes ?? 0) bytes  sha256 \(file.sha256 ?? "?")" : "missing"
                    lines.append("  \(file.path)  \(detail)")
                }
                if let how = model.howToInstall, !model.installed { lines.append("  to install: \(how)") }
            }
            Output.line(lines.joined(separator: "\n"))
        }
    }
}
