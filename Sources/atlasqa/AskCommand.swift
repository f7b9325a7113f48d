import Answering
import ArgumentParser
import AtlasCore
import Foundation
import Imaging
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

    @Option(name: .customLong("decoder-url"), help: "OpenAI-compatible API base ending in /v1 (env ATLASQA_DECODER_URL); selects the openai decoder.")
    var decoderURL: String?

    @Option(name: .customLong("decoder-model"), help: "The model name the decoder server knows (env ATLASQA_DECODER_MODEL).")
    var decoderModel: String?

    @Option(help: "Continue conversation ID, or 'new' to start one (its id is printed); the thread is kept in the index file.")
    var conversation: String?

    enum DecoderKind: String, ExpressibleByArgument {
        case extractive
        case openai
    }

    func validate() throws {
        guard k > 0 else { throw ValidationError("--k must be at least 1") }
        guard !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("the question is empty")
        }
        if let problem = QuestionLimits.problem(with: question) { throw ValidationError(problem) }
    }

    func run() async throws {
        try await Output.run(json: options.json) {
            let settings = try decoderSettings()
            let pipeline = try Pipeline(options: options, writable: conversation != nil)
            let imageData = try image.map(ImageInput.read)
            let request = AskRequest(question: question, image: imageData, imageName: image.map(ImageInput.name) ?? "image")
            let answer: Answer
            if let settings {
                answer = try await OpenAIDecoder.withDecoder(settings: settings, prepareImage: Self.prepareImage) { decoder in
                    try await ask(request, pipeline: pipeline, decoder: decoder)
                }
            } else {
                answer = try await ask(request, pipeline: pipeline, decoder: ExtractiveDecoder())
            }
            if options.json {
                try Output.json(answer)
            } else {
                Output.line(AnswerRenderer.text(of: answer))
                if let id = answer.conversation { Output.line("\nconversation: \(id)  (continue with --conversation \(id))") }
            }
        }
    }

    /// One question, in a conversation when asked for (owned by "local": the CLI user).
    func ask(_ request: AskRequest, pipeline: Pipeline, decoder: any AnswerDecoder) async throws -> Answer {
        let ask = AskPipeline(retriever: pipeline.retriever, k: k, decoder: decoder)
        guard let conversation else { return try await ask.ask(request) }
        var request = request
        request.conversation = conversation == "new" ? nil : conversation
        return try await ConversationPipeline(pipeline: ask, store: pipeline.store).ask(request, owner: "local")
    }

    /// The decoder settings from flags over the environment; nil means the extractive decoder.
    func decoderSettings() throws -> DecoderSettings? {
        if decoder == .extractive { return nil }
        var settings: DecoderSettings?
        do {
            // The flag's URL with the environment's deadline, timeouts, stream and key.
            settings = try DecoderSettings.fromEnvironment(baseURL: decoderURL)
        } catch {
            throw AtlasError(.badInput, "decoder settings: \(error.message)")
        }
        if let model = decoderModel, settings != nil {
            settings?.model = model
            if Environment.string("ATLASQA_DECODER_EXTRA_BODY") == nil { settings?.extraBody = DecoderSettings.defaultExtraBody(model: model) }
        }
        if decoder == .openai && settings == nil {
            throw AtlasError(.badInput, "--decoder openai needs --decoder-url (or ATLASQA_DECODER_URL)")
        }
        return settings
    }

    /// The query image as the decoder gets it: decoded within the same pixel budget as retrieval,
    /// shrunk to the decoder's largest side (a large JPEG is decoded at reduced scale) and sent as JPEG.
    static let prepareImage: ImagePayload.Preparation = { data, _, maxSide in
        let decoded: RGBImage
        do {
            decoded = try ImageCodec.decode(data, name: "query image", limits: Pipeline.imageLimits, maxSide: maxSide)
        } catch let error as ImageError {
            throw AtlasError(.corruptImage, error.message)
        }
        return ImagePayload(data: try ImageCodec.encodeJPEG(decoded, quality: 90), mimeType: "image/jpeg")
    }
}
