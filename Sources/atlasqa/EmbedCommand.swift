import ArgumentParser
import AtlasCore
import Encoders
import Foundation
import Imaging

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "One embedding, as {\"encoder\", \"dim\", \"vector\"}."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Text to embed (as a query).")
    var text: String?

    @Option(help: "A PNG or JPEG image to embed.")
    var image: String?

    @Option(help: "Encoder id (histo-v1 for images; multilingual-e5-small or all-MiniLM-L6-v2 for text).")
    var encoder: String?

    func validate() throws {
        guard (text == nil) != (image == nil) else { throw ValidationError("give exactly one of --text and --image") }
    }

    struct Embedding: Encodable {
        var encoder: String
        var dim: Int
        var vector: [Float]
    }

    func run() async throws {
        try await Output.run(json: options.json) {
            let result: Embedding
            if let image {
                guard encoder == nil || encoder == "histo-v1" else {
                    throw AtlasError(.badInput, "unknown image encoder '\(encoder!)' (available: \("histo-v1"))")
                }
                let descriptor = Pipeline.imageEncoder()
                let embedding = try descriptor.embed(imageData: try ImageInput.read(image), name: ImageInput.name(image))
                result = Embedding(encoder: descriptor.id, dim: descriptor.dimension, vector: embedding.vector)
            } else {
                let textEncoder: any TextEncoder
                if let id = encoder {
                    textEncoder = try TextEncoderCatalog.load(id: id, modelsDirectory: options.modelsDirectory)
                } else if let found = try TextEncoderCatalog.defaultEncoder(modelsDirectory: options.modelsDirectory) {
                    textEncoder = found
                } else {
                    throw AtlasError(.encoder, "no text encoder installed in '\(options.modelsDirectory.path)' — run Scripts/setup (see `atlasqa models`)")
                }
                let vector = try textEncoder.embed([text ?? ""], role: .query)[0]
                result = Embedding(encoder: textEncoder.id, dim: textEncoder.dimension, vector: vector)
            }
            // The embedding is machine output either way; --json only changes nothing here.
            try Output.json(result)
        }
    }
}
