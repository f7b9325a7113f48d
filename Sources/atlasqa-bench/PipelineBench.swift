import Answering
import ArgumentParser
import AtlasCore
import Encoders
import Foundation
import Ingest
import Retrieval
import Store

/// Options both pipeline benchmarks share: the index file, and how to build it when it is not there.
struct PipelineOptions: ParsableArguments {
    @Option(help: "Index file. Built from a generated atlas when missing; kept afterwards (default: a temporary file, removed).")
    var db: String?

    @Option(help: "Images (entries) in the generated atlas, one 224-px illustration and one passage each.")
    var images = 10_000

    @Option(name: .customLong("text-encoder"), help: "Text encoder for passages and questions: an id, or 'none' (default: the default installed one, as `atlasqa ingest`).")
    var textEncoder: String?

    @Option(help: "Models folder (default: $ATLASQA_MODELS, else models/ beside Package.swift).")
    var models: String?

    @Option(help: "Threads embedding images during ingest (default: all cores).")
    var workers = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard images > 0 else { throw ValidationError("--images must be positive") }
        guard workers > 0 else { throw ValidationError("--workers must be positive") }
    }

    var modelsDirectory: URL {
        models.map { URL(fileURLWithPath: $0) } ?? TextEncoderCatalog.defaultModelsDirectory()
    }

    /// The encoder for ingest, as `atlasqa ingest` picks it.
    func ingestTextEncoder() throws -> (any TextEncoder)? {
        if textEncoder == "none" { return nil }
        if let id = textEncoder { return try TextEncoderCatalog.load(id: id, modelsDirectory: modelsDirectory) }
        return try TextEncoderCatalog.defaultEncoder(modelsDirectory: modelsDirectory)
    }
}

/// What one ingest of a generated atlas measured.
struct IngestMeasurement {
    var summary: IngestSummary
    var generateSeconds: Double
    var cpuSeconds: Double
    var textEncoder: String?
}

/// Generates an atlas of `options.images` entries and ingests it into `path` as `atlasqa ingest` does
/// (JSON Lines, histo-v1 on every core, the text encoder in batches, one transaction per entry).
func ingestGeneratedAtlas(_ options: PipelineOptions, into path: String) throws -> IngestMeasurement {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    note("generating \(options.images) images in \(folder.path)…")
    let generateStarted = Date()
    let jsonl = try PipelineAtlas(count: options.images).write(to: folder)
    let generateSeconds = Date().timeIntervalSince(generateStarted)
    let text = try options.ingestTextEncoder()
    note("ingesting with histo-v1\(text.map { " and \($0.id)" } ?? "") on \(options.workers) worker(s)…")
    let store = try AtlasStore(path: path)
    let ingester = Ingester(
        writer: store, imageEncoder: HistologyDescriptor(), textEncoders: text.map { [$0] } ?? [], workers: options.workers)
    let cpu0 = cpuSeconds()
    let summary = try ingester.ingest(atlasAt: jsonl, strict: false, progress: nil)
    guard summary.problems.isEmpty else {
        throw BenchError("ingest reported problems: \(summary.problems.prefix(3).map { "\($0)" }.joined(separator: "; "))")
    }
    return IngestMeasurement(summary: summary, generateSeconds: generateSeconds, cpuSeconds: cpuSeconds() - cpu0, textEncoder: text?.id)
}

func printIngest(_ m: IngestMeasurement) {
    let s = m.summary
    let passagesPerSecond = s.seconds > 0 ? Double(s.passages) / s.seconds : 0
    print("ingest  atlas               \(s.images) images (224 px), \(s.passages) passages, \(s.tiles) tiles; generated in \(decimal(m.generateSeconds)) s")
    print("ingest  encoders            histo-v1\(m.textEncoder.map { " + \($0)" } ?? " (no text encoder)")")
    print("ingest  wall                \(decimal(s.seconds, 2)) s   cpu \(decimal(m.cpuSeconds, 1)) s   cores busy \(decimal(m.cpuSeconds / max(s.seconds, 1e-9), 2))")
    print("ingest  rate                \(decimal(s.imagesPerSecond)) images/s   \(decimal(passagesPerSecond)) passages/s")
    print("ingest: images_per_s=\(decimal(s.imagesPerSecond)) passages_per_s=\(decimal(passagesPerSecond)) peak_rss_mb=\(decimal(peakRSSMegabytes(), 0))")
}

/// Ingest throughput on a generated atlas (images/s, passages/s, peak RSS).
struct IngestBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest throughput on a generated atlas of 224-px tiles with one short passage each.",
        discussion: "Prints rows, then `ingest: images_per_s=X passages_per_s=Y peak_rss_mb=Z`.")

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let path = options.db ?? FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-bench-\(UUID().uuidString).sqlite").path
        if FileManager.default.fileExists(atPath: path) {
            throw ValidationError("'\(path)' exists: the ingest benchmark writes a fresh index (remove it, or pick another --db)")
        }
        defer { if options.db == nil { removeIndex(path) } }
        printIngest(try ingestGeneratedAtlas(options, into: path))
    }
}

/// `ask` latency per stage with the extractive decoder, in process, wired as `atlasqa ask` wires it.
struct AskBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask latency per stage (image encode, text encode, search, fuse, answer) over generated queries.",
        discussion: """
            Prints rows, then `ask: p50_ms=X p99_ms=Y` (total) and one `ask_stage: name=S p50_ms=X p99_ms=Y` per stage. \
            With --mode retrieve it times `Retriever.retrieve` (what `atlasqa retrieve` runs) and prints `retrieve: p50_ms=X p99_ms=Y`.
            """)

    enum Mode: String, ExpressibleByArgument {
        case ask
        case retrieve
    }

    @OptionGroup var options: PipelineOptions

    @Option(help: "Queries (image + question) to time.")
    var queries = 200

    @Option(help: "Untimed queries first (warm caches, load the vector index).")
    var warmup = 5

    @Option(help: "References per answer.")
    var k = 6

    @Option(help: "ask (the whole pipeline, extractive decoder) or retrieve (retrieval only).")
    var mode = Mode.ask

    func validate() throws {
        guard queries > 0, warmup >= 0, k > 0 else { throw ValidationError("--queries and --k must be positive, --warmup not negative") }
    }

    func run() throws {
        let path = options.db ?? FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-bench-\(UUID().uuidString).sqlite").path
        defer { if options.db == nil { removeIndex(path) } }
        if !FileManager.default.fileExists(atPath: path) {
            printIngest(try ingestGeneratedAtlas(options, into: path))
        }
        let store = try AtlasStore(path: path, readOnly: true)
        let counts = try store.counts()
        // The question encoder is the one that embedded the passages, as `atlasqa ask` chooses it.
        let recorded = try store.encoders().filter { $0.modality == .text }.map(\.id)
        let textEncoder = try recorded.first.map { try TextEncoderCatalog.load(id: $0, modelsDirectory: options.modelsDirectory) }
        let retriever = Retriever(reader: store, imageEncoder: HistologyDescriptor(), textEncoder: textEncoder)
        let loadStarted = Date()
        try store.loadVectorIndex()
        let loadSeconds = Date().timeIntervalSince(loadStarted)

        note("rendering \(queries + warmup) query images…")
        let all = try PipelineQueries.make(count: queries + warmup)
        let pipeline = AskPipeline(retriever: retriever, k: k, decoder: ExtractiveDecoder())
        var stages: [String: LatencySample] = [:]
        var titleHits = 0
        for (i, q) in all.enumerated() {
            let timings: Timings
            let topTitle: String?
            switch mode {
            case .ask:
                let answer = try waitFor { try await pipeline.ask(AskRequest(question: q.question, image: q.image, imageName: "query-\(i).png")) }
                timings = answer.timingsMs
                topTitle = answer.references.first?.title
            case .retrieve:
                let started = DispatchTime.now()
                let result = try retriever.retrieve(RetrievalQuery(text: q.question, imageData: q.image, imageName: "query-\(i).png", k: k))
                var t = result.timings
                t["total"] = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
                timings = t
                topTitle = result.references.first?.title
            }
            guard i >= warmup else { continue }
            for (stage, ms) in timings { stages[stage, default: LatencySample()].add(ms) }
            if topTitle == q.title { titleHits += 1 }
        }

        print("ask     atlas               \(counts.entries) entries, \(counts.images) images, \(counts.tiles) tiles, \(counts.passages) passages; vector index loaded in \(decimal(loadSeconds * 1000, 0)) ms")
        print("ask     encoders            histo-v1\(textEncoder.map { " + \($0.id)" } ?? " (no text encoder)"), decoder \(mode == .ask ? "extractive" : "none (retrieve only)")")
        print("ask     queries             \(queries) timed after \(warmup) warm-up; top reference shows the query's tissue in \(titleHits)/\(queries)")
        print("ask     stage               p50 ms    p99 ms")
        let names = mode == .ask
            ? [("image", "image"), ("text", "text"), ("search", "search"), ("fuse", "fuse"), ("answer", "decode"), ("total", "total")]
            : [("image", "image"), ("text", "text"), ("search", "search"), ("fuse", "fuse"), ("total", "total")]
        for (name, key) in names {
            guard let sample = stages[key] else { continue }
            print("ask     \(name.padding(toLength: 20, withPad: " ", startingAt: 0))\(decimal(sample.p50, 2).leftPadded(7))   \(decimal(sample.p99, 2).leftPadded(7))")
        }
        print("ask     peak RSS            \(decimal(peakRSSMegabytes(), 0)) MB")
        let total = stages["total"] ?? LatencySample()
        print("\(mode == .ask ? "ask" : "retrieve"): p50_ms=\(decimal(total.p50, 2)) p99_ms=\(decimal(total.p99, 2))")
        for (name, key) in names where name != "total" {
            guard let sample = stages[key] else { continue }
            print("\(mode == .ask ? "ask" : "retrieve")_stage: name=\(name) p50_ms=\(decimal(sample.p50, 2)) p99_ms=\(decimal(sample.p99, 2))")
        }
    }
}

func removeIndex(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// Runs async work to completion from synchronous benchmark code (the driver's commands are synchronous).
func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.set(await Result { try await work() })
        done.signal()
    }
    done.wait()
    return try box.get()
}

/// `@unchecked Sendable`: written once before the semaphore is signalled, read after it is waited on.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    func set(_ r: Result<T, any Error>) { result = r }
    func get() throws -> T { try result!.get() }
}

extension Result where Failure == any Error {
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
