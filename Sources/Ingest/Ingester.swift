public import AtlasCore
public import Foundation

/// An index that can list its entries, so a re-ingest can say which ones left the atlas (and prune them).
public protocol AtlasEntryListing {
    func entryIDs() throws -> [String]
}

/// Reads an atlas, embeds what changed, and writes it entry by entry.
///
/// All entries are parsed first; a bad entry is a problem and is skipped while the others go in
/// (`strict` instead aborts having written nothing). Entries whose content hash is already stored are
/// left alone. Windows of entries are embedded on `workers` threads while the finished ones are written,
/// in atlas order; each entry is one write (one transaction).
public struct Ingester: Sendable {
    public var writer: any AtlasWriter
    public var imageEncoder: any ImageEncoder
    public var textEncoders: [any TextEncoder]
    public var splitter = PassageSplitter()
    /// Threads embedding images at once.
    public var workers: Int
    /// Passages per text-encoder call.
    public var textBatchSize = 32
    /// Images per window: a window is read, embedded and written as a unit; `workers` windows are
    /// prepared at once. Small, so entries reach the index steadily (a reader, or a crash, sees progress).
    public var imagesPerWindow = 8

    public init(
        writer: any AtlasWriter, imageEncoder: any ImageEncoder, textEncoders: [any TextEncoder],
        workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.writer = writer
        self.imageEncoder = imageEncoder
        self.textEncoders = textEncoders
        self.workers = max(1, workers)
    }

    var encoderRecords: [EncoderRecord] {
        [EncoderRecord(imageEncoder)] + textEncoders.map { EncoderRecord($0) }
    }

    /// - Parameters:
    ///   - url: an atlas folder or a .jsonl file.
    ///   - strict: any problem aborts with `AtlasError(.atlasFormat)` before anything is written.
    ///   - prune: remove entries the index holds that a folder atlas no longer has.
    public func ingest(atlasAt url: URL, strict: Bool = false, prune: Bool = false, progress: IngestProgress? = nil) throws -> IngestSummary {
        let started = Date()
        let atlas = try AtlasParser.parse(at: url, splitter: splitter)
        if atlas.entries.isEmpty, atlas.problems.isEmpty {
            let hint = atlas.format == .folder ? "one folder per entry, each with an entry.md" : "one JSON object per line"
            throw AtlasError(.atlasFormat, "ingesting '\(url.path)': found no entries (expected \(hint))")
        }
        var run = Run(atlas: atlas)
        if strict, !run.problems.isEmpty { throw Self.strictFailure(atlas: url, problems: run.problems) }
        let records = encoderRecords
        if strict { try checkEncoders(records) } else { try writer.register(encoders: records) }

        progress?.start(label: "ingest \(url.lastPathComponent)", entries: atlas.entries.count)
        var held: [IngestRecord] = []
        // Windows are prepared (read, hashed, embedded) on the worker threads, several at once, while this
        // thread writes the finished ones in atlas order.
        let windows = Self.windows(atlas.entries, imagesPerWindow: imagesPerWindow)
        let concurrentWindows = min(workers, windows.count)
        let imageWorkers = max(1, workers / max(concurrentWindows, 1))
        let ingester = self
        try orderedPipeline(
            count: windows.count, workers: concurrentWindows, lookahead: concurrentWindows + 1,
            produce: { i in Result { try ingester.prepare(windows[i], records: records, imageWorkers: imageWorkers) } },
            consume: { _, result in
                let prepared = try result.get()
                for problem in prepared.problems { run.fail(problem) }
                for _ in 0..<prepared.unchanged { run.unchanged() }
                for record in prepared.records {
                    if strict {
                        held.append(record)
                    } else {
                        try write(record)
                        run.count(record)
                    }
                    progress?.advance(images: record.images.count)
                }
                for _ in 0..<run.takeUnreported() { progress?.advance(images: 0) }
            }
        )
        progress?.finish()

        if strict {
            guard run.problems.isEmpty else { throw Self.strictFailure(atlas: url, problems: run.problems) }
            try writer.register(encoders: records)
            for record in held {
                try write(record)
                run.count(record)
            }
        }
        if atlas.format == .folder, let listing = writer as? any AtlasEntryListing {
            let inAtlas = run.idsInAtlas
            run.summary.notInAtlas = try listing.entryIDs().filter { !inAtlas.contains($0) }.sorted()
            if prune {
                for id in run.summary.notInAtlas { try writer.removeEntry(id: id) }
                run.summary.pruned = run.summary.notInAtlas
                run.summary.notInAtlas = []
            }
        }
        let seconds = Date().timeIntervalSince(started)
        return IngestSummary(
            atlas: url.path, format: atlas.format, entries: run.summary, passages: run.passages, images: run.images,
            tiles: run.tiles, problems: run.problems, seconds: seconds,
            imagesPerSecond: seconds > 0 ? Double(run.images) / seconds : 0
        )
    }

    /// Counts and problems of one ingest.
    private struct Run {
        var summary: IngestSummary.Entries
        var problems: [AtlasProblem]
        var idsInAtlas: Set<String>
        var passages = 0
        var images = 0
        var tiles = 0
        /// Entries finished (unchanged or failed) since progress last heard.
        private var unreported = 0

        init(atlas: ParsedAtlas) {
            problems = atlas.problems
            idsInAtlas = Set(atlas.entries.map(\.entry.id)).union(atlas.problems.compactMap(\.entry))
            summary = IngestSummary.Entries(inAtlas: atlas.entries.count + atlas.skipped, failed: atlas.skipped)
        }

        mutating func fail(_ problem: AtlasProblem) {
            problems.append(problem)
            summary.failed += 1
            unreported += 1
        }

        mutating func unchanged() {
            summary.unchanged += 1
            unreported += 1
        }

        mutating func count(_ record: IngestRecord) {
            summary.ingested += 1
            passages += record.entry.passages.count
            images += record.images.count
            tiles += record.images.reduce(0) { $0 + $1.embeddings.values.reduce(0) { $0 + $1.tiles.count } }
        }

        mutating func takeUnreported() -> Int {
            defer { unreported = 0 }
            return unreported
        }
    }

    /// An entry whose content changed, its image bytes read, waiting for vectors.
    private struct Pending {
        var parsed: ParsedEntry
        var imageData: [Data]
        var hash: String
    }

    /// One window of entries made ready to write, with the entries that failed or had not changed.
    private struct PreparedWindow: Sendable {
        var records: [IngestRecord] = []
        var problems: [AtlasProblem] = []
        var unchanged = 0
    }

    /// Reads and hashes a window of entries, embeds the images of those that changed (on `imageWorkers`
    /// threads), then their passages. Entries that fail are reported and left out.
    private func prepare(_ window: ArraySlice<ParsedEntry>, records: [EncoderRecord], imageWorkers: Int) throws -> PreparedWindow {
        var result = PreparedWindow()
        var pending: [Pending] = []
        for parsed in window {
            guard let data = readImages(parsed, problems: &result.problems) else { continue }
            let hash = ContentHash.of(entry: parsed.entry, imageData: data, encoders: records)
            if try writer.contentHash(ofEntry: parsed.entry.id) == hash {
                result.unchanged += 1
                continue
            }
            pending.append(Pending(parsed: parsed, imageData: data, hash: hash))
        }

        struct Job: Sendable {
            var data: Data
            var name: String
        }
        let jobs = pending.flatMap { p in
            zip(p.imageData, p.parsed.entry.images).map { Job(data: $0, name: displayName(p.parsed, $1)) }
        }
        let encoder = imageEncoder
        let embedded = parallelMap(jobs, workers: imageWorkers) { job in
            Result { try encoder.embed(imageData: job.data, name: job.name) }
        }

        var embeddedEntries: [(pending: Pending, images: [IngestRecord.Image])] = []
        var next = 0
        for p in pending {
            let results = embedded[next..<next + p.imageData.count]
            next += p.imageData.count
            var images: [IngestRecord.Image] = []
            var failure: AtlasProblem?
            for (i, result) in results.enumerated() {
                switch result {
                case .success(let embedding):
                    images.append(IngestRecord.Image(
                        image: p.parsed.entry.images[i], data: p.imageData[i], embeddings: [imageEncoder.id: embedding]
                    ))
                case .failure(let error):
                    failure = failure ?? AtlasProblem(
                        file: p.parsed.imageURLs[i].path, entry: p.parsed.entry.id, message: Self.message(error)
                    )
                }
            }
            if let failure {
                result.problems.append(failure)
            } else {
                embeddedEntries.append((p, images))
            }
        }

        let vectors = passageVectors(embeddedEntries.map(\.pending.parsed.entry))
        for ((p, images), vector) in zip(embeddedEntries, vectors) {
            switch vector {
            case .success(let v):
                result.records.append(IngestRecord(entry: p.parsed.entry, contentHash: p.hash, images: images, passageVectors: v))
            case .failure(let error):
                result.problems.append(AtlasProblem(file: p.parsed.file, line: p.parsed.line, entry: p.parsed.entry.id, message: error.message))
            }
        }
        return result
    }

    /// Strict mode registers the encoders only once everything has embedded; an index built with other
    /// encoders is refused up front all the same, before any work.
    private func checkEncoders(_ records: [EncoderRecord]) throws {
        guard let reader = writer as? any AtlasReader else { return }
        let known = Dictionary(try reader.encoders().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for record in records {
            if let old = known[record.id], old != record {
                throw AtlasError(.encoder, "the index was built with encoder '\(old.id)' (\(old.dimension)-d, weights \(old.weightsHash.prefix(12))), not this one (\(record.dimension)-d, weights \(record.weightsHash.prefix(12))): ingest into a new index file")
            }
        }
    }

    private func readImages(_ parsed: ParsedEntry, problems: inout [AtlasProblem]) -> [Data]? {
        var data: [Data] = []
        for url in parsed.imageURLs {
            do {
                data.append(try Data(contentsOf: url))
            } catch {
                problems.append(AtlasProblem(file: url.path, entry: parsed.entry.id, message: "reading image: \(error.localizedDescription)"))
                return nil
            }
        }
        return data
    }

    /// The image as the atlas names it, prefixed by its entry folder: "breast-dcis/dcis-solid.png".
    private func displayName(_ parsed: ParsedEntry, _ image: AtlasImage) -> String {
        parsed.line == nil ? "\(parsed.entry.id)/\(image.file)" : image.file
    }

    /// What each text encoder reads for a passage: the entry's title and the section heading give it
    /// the context a bare paragraph lacks.
    static func embeddingText(_ passage: Passage, title: String) -> String {
        let head = [title, passage.heading].compactMap { $0 }.joined(separator: " — ")
        return head + "\n" + passage.text
    }

    /// Passage vectors of several entries, per text encoder. The passages of all the entries go through
    /// each encoder together, in batches of `textBatchSize` (bigger matrix products); when a batch fails,
    /// the entries are embedded one by one so the failure is pinned on the entry that caused it.
    private func passageVectors(_ entries: [Entry]) -> [Result<[String: [[Float]]], AtlasError>] {
        guard entries.count > 1 else { return entries.map { e in Result { try passageVectors(e) }.mapError(Self.atlasError) } }
        let texts = entries.flatMap { e in e.passages.map { Self.embeddingText($0, title: e.title) } }
        var all: [String: [[Float]]] = [:]
        do {
            for encoder in textEncoders { all[encoder.id] = try embed(texts, with: encoder) }
        } catch {
            return entries.map { e in Result { try passageVectors(e) }.mapError(Self.atlasError) }
        }
        var results: [Result<[String: [[Float]]], AtlasError>] = []
        var start = 0
        for entry in entries {
            let range = start..<start + entry.passages.count
            start = range.upperBound
            results.append(.success(all.mapValues { Array($0[range]) }))
        }
        return results
    }

    private func passageVectors(_ entry: Entry) throws -> [String: [[Float]]] {
        let texts = entry.passages.map { Self.embeddingText($0, title: entry.title) }
        var vectors: [String: [[Float]]] = [:]
        for encoder in textEncoders { vectors[encoder.id] = try embed(texts, with: encoder) }
        return vectors
    }

    private func embed(_ texts: [String], with encoder: any TextEncoder) throws -> [[Float]] {
        var all: [[Float]] = []
        all.reserveCapacity(texts.count)
        let size = max(1, textBatchSize)
        for start in stride(from: 0, to: texts.count, by: size) {
            let batch = Array(texts[start..<min(start + size, texts.count)])
            let out: [[Float]]
            do {
                out = try encoder.embed(batch, role: .passage)
            } catch {
                throw AtlasError(.encoder, "embedding passages with '\(encoder.id)': \(Self.message(error))")
            }
            guard out.count == batch.count, out.allSatisfy({ $0.count == encoder.dimension }) else {
                throw AtlasError(.encoder, "embedding passages with '\(encoder.id)': got \(out.count) vectors for \(batch.count) passages")
            }
            all += out
        }
        return all
    }

    private static func atlasError(_ error: any Error) -> AtlasError {
        error as? AtlasError ?? AtlasError(.encoder, message(error))
    }

    private func write(_ record: IngestRecord) throws {
        do {
            try writer.write(record)
        } catch let error as AtlasError {
            throw error
        } catch {
            throw AtlasError(.storage, "writing entry '\(record.entry.id)': \(error)")
        }
    }

    /// Consecutive entries holding about `imagesPerWindow` images: enough to keep every worker busy.
    static func windows(_ entries: [ParsedEntry], imagesPerWindow: Int) -> [ArraySlice<ParsedEntry>] {
        var windows: [ArraySlice<ParsedEntry>] = []
        var start = 0
        var images = 0
        for (i, e) in entries.enumerated() {
            images += e.imageURLs.count
            if images >= imagesPerWindow || i - start + 1 >= 16 {
                windows.append(entries[start...i])
                start = i + 1
                images = 0
            }
        }
        if start < entries.count { windows.append(entries[start...]) }
        return windows
    }

    static func message(_ error: any Error) -> String {
        switch error {
        case let e as AtlasError: e.message
        case let e as any CustomStringConvertible: e.description
        default: String(describing: error)
        }
    }

    static func strictFailure(atlas: URL, problems: [AtlasProblem]) -> AtlasError {
        let list = problems.map { "  \($0)" }.joined(separator: "\n")
        return AtlasError(.atlasFormat, "ingesting '\(atlas.path)' (--strict): \(problems.count) problem(s), nothing was written:\n\(list)")
    }
}
