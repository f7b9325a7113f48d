import ArgumentParser
import AtlasCore
import Foundation
import Retrieval

struct RetrieveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieve",
        abstract: "The references a question would get, with every channel's score."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "A PNG or JPEG image to match against the atlas images.")
    var image: String?

    @Option(help: "Words to match against the atlas passages (English or Chinese).")
    var text: String?

    @Option(help: "How many references.")
    var k = 8

    func validate() throws {
        guard image != nil || text != nil else { throw ValidationError("give --image, --text, or both") }
        guard k > 0 else { throw ValidationError("--k must be at least 1") }
        if let text, let problem = QuestionLimits.problem(with: text) { throw ValidationError(problem) }
    }

    struct Result: Encodable {
        var references: [Reference]
        var support: Support
        var timingsMs: Timings

        enum CodingKeys: String, CodingKey {
            case references, support
            case timingsMs = "timings_ms"
        }
    }

    func run() async throws {
        try await Output.run(json: options.json) {
            let pipeline = try Pipeline(options: options, writable: false)
            let query = try RetrievalQuery(
                text: text, imageData: image.map(ImageInput.read), imageName: image.map(ImageInput.name) ?? "image", k: k
            )
            let result = try pipeline.retriever.retrieve(query)
            if options.json {
                try Output.json(Result(references: result.references, support: result.support, timingsMs: result.timings))
            } else {
                Output.line(TextReport.references(result.references))
                Output.line("support: \(result.support.rawValue)")
            }
        }
    }
}
