import Answering
import ArgumentParser
import AtlasCore
import Foundation
import Retrieval

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question about an image from the atlas, citing its passages.",
        discussion: "The answer suggests and cites; it is reference material to be confirmed by a pathologist."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The question, in English or Chinese.")
    var question: String

    @Option(help: "A PNG or JPEG image the question is about.")
    var image: String?

    @Option(help: "How many references to retrieve.")
    var k = 6

    @Option(help: "Decoder: extractive (default without a decoder URL) or openai.")
    var decoder: DecoderKind?

    enum DecoderKind: String, ExpressibleByArgument {
        case extractive
        case openai
    }

    func validate() throws {
        guard k > 0 else { throw ValidationError("--k must be at least 1") }
        guard !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("the question is empty")
        }
    }

    func run() async throws {
        try await Output.run(json: options.json) {
            if decoder == .openai {
                throw AtlasError(.badInput, "the openai decoder is not available in this build; use --decoder extractive")
            }
            let pipeline = try Pipeline(options: options, writable: false)
            let imageData = try image.map(ImageInput.read)
            let ask = AskPipeline(retriever: pipeline.retriever, k: k, decoder: ExtractiveDecoder())
            let answer = try await ask.ask(AskRequest(question: question, image: imageData, imageName: image.map(ImageInput.name) ?? "image"))
            if options.json {
                try Output.json(answer)
            } else {
                Output.line(AnswerRenderer.text(of: answer))
            }
        }
    }
}
