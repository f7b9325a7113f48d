import Answering
import ArgumentParser
import AtlasCore
import Encoders
import Foundation
import Imaging
import Ingest
import Retrieval
import Server
import Store

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API and the web page over the atlas index.",
        discussion: """
            Listens on 127.0.0.1:8080 by default. Without API keys (`atlasqa keys create`) the server only listens
            on loopback and needs no key; with keys, every /v1 request needs `Authorization: Bearer <key>`.
            A decoder is used when ATLASQA_DECODER_URL is set (see `atlasqa ask --help`); otherwise answers are extractive.
            Curators may POST /v1/ingest an atlas (JSON Lines, or a .tar/.tar.gz of a folder atlas or .jsonl with
            images); a missing index file is created empty for that. Query images are never stored unless
            --keep-images is given: then each is kept once as <sha256>.<ext> in the folder beside the index
            (<db>.images/), and its audit row names the file.
            Stops gracefully on SIGINT/SIGTERM, finishing requests in flight.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Address to listen on (default: $ATLASQA_HOST, else 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (default: $ATLASQA_PORT, else 8080).")
    var port: Int?

    @Option(help: "Ask/retrieve jobs run at once (default: $ATLASQA_MAX_JOBS, else 2).")
    var maxJobs: Int?

    @Option(help: "Jobs that may wait for a slot before requests get 503 (default: $ATLASQA_MAX_QUEUE, else 16).")
    var maxQueue: Int?

    @Option(help: "Largest request body in megabytes (default: $ATLASQA_MAX_BODY_MB, else 20).")
    var maxBodyMb: Int?

    @Option(help: "Largest POST /v1/ingest upload in megabytes (default: $ATLASQA_MAX_INGEST_MB, else 256).")
    var maxIngestMb: Int?

    @Option(help: "Per-request deadline in seconds for ask/retrieve/chat, queueing included; 0 for none (default: $ATLASQA_REQUEST_TIMEOUT, else 120). Past it: 504, or the extractive answer when the decoder is what was slow.")
    var requestTimeout: Double?

    @Flag(help: "Keep query images in <db>.images/ (named by SHA-256; the audit row names the file). Default: $ATLASQA_KEEP_IMAGES=1, else images are never stored.")
    var keepImages = false

    func settings() throws -> ServerSettings {
        var s = ServerSettings()
        s.host = host ?? Environment.string("ATLASQA_HOST") ?? s.host
        s.port = port ?? Environment.int("ATLASQA_PORT") ?? s.port
        s.maxConcurrentJobs = maxJobs ?? Environment.int("ATLASQA_MAX_JOBS") ?? s.maxConcurrentJobs
        s.maxQueuedJobs = maxQueue ?? Environment.int("ATLASQA_MAX_QUEUE") ?? s.maxQueuedJobs
        s.maxBodyBytes = (maxBodyMb ?? Environment.int("ATLASQA_MAX_BODY_MB")).map { $0 * 1024 * 1024 } ?? s.maxBodyBytes
        s.maxIngestBytes = (maxIngestMb ?? Environment.int("ATLASQA_MAX_INGEST_MB")).map { $0 * 1024 * 1024 } ?? s.maxIngestBytes
        s.maxUnpackedIngestBytes = max(s.maxUnpackedIngestBytes, s.maxIngestBytes * 4)
        let timeout = requestTimeout ?? Environment.string("ATLASQA_REQUEST_TIMEOUT").flatMap(Double.init) ?? 120
        guard timeout >= 0 else { throw ValidationError("--request-timeout must be 0 (none) or more seconds") }
        s.requestTimeout = timeout > 0 ? .milliseconds(Int64(timeout * 1000)) : nil
        if keepImages || Environment.string("ATLASQA_KEEP_IMAGES") == "1" {
            s.keptImagesFolder = URL(fileURLWithPath: options.databasePath + ".images")
        }
        guard (0...65535).contains(s.port) else { throw ValidationError("--port must be 0…65535") }
        guard s.maxConcurrentJobs >= 1, s.maxQueuedJobs >= 0, s.maxBodyBytes > 0 else {
            throw ValidationError("--max-jobs must be at least 1, --max-queue at least 0, --max-body-mb at least 1")
        }
        return s
    }

    func run() async throws {
        try await Output.run(json: options.json) {
            let settings = try settings()
            let path = options.databasePath
            // An empty or missing index is filled over HTTP: it gets the encoders an ingest would choose.
            let exists = FileManager.default.fileExists(atPath: path)
            let fresh = try !exists || AtlasStore(path: path).counts().entries == 0
            if !exists {
                Output.log("note: '\(path)' did not exist; serving an empty index (POST /v1/ingest or `atlasqa ingest` fills it)")
            }
            let pipeline = try Pipeline(options: options, writable: true, forIngest: fresh)
            let store = pipeline.store
            let retriever = pipeline.retriever

            let decoderSettings: DecoderSettings?
            do { decoderSettings = try DecoderSettings.fromEnvironment() } catch {
                throw AtlasError(.badInput, "reading decoder settings: \(error)")
            }
            // The same image preparation as `ask`: the decoder gets a downscaled JPEG, not the upload as is.
            let openAI = decoderSettings.map { OpenAIDecoder(settings: $0, prepareImage: AskCommand.prepareImage) }
            let composer = AnswerComposer(decoder: openAI.map { $0 as any AnswerDecoder } ?? ExtractiveDecoder())
            let ingestion = ServeIngestion(ingester: Ingester(
                writer: store, imageEncoder: pipeline.imageEncoder, textEncoders: pipeline.textEncoder.map { [$0] } ?? [],
                workers: max(1, ProcessInfo.processInfo.activeProcessorCount - 1)))
            let services = AtlasServices(
                store: store, retriever: retriever, composer: composer, settings: settings, ingestor: ingestion)
            let listening: @Sendable (Int) async -> Void = { port in
                let shownHost = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
                Output.log("AtlasQA listening on http://\(shownHost):\(port)/ (index: \(path); images kept: \(settings.keptImagesFolder?.path ?? "no"); decoder: \(decoderSettings.map { "openai \($0.model) at \($0.baseURL)" } ?? "extractive"))")
            }
            do {
                try await runApplication(services: services, onListening: listening)
            } catch {
                try? await openAI?.shutdown()
                throw error
            }
            try? await openAI?.shutdown()
        }
    }
}
