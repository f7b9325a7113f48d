import AtlasCore
import Foundation
import Ingest
import Store
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A power cut or `kill -9` during `atlasqa ingest`: the real binary is killed with SIGKILL at seeded random
/// moments while it writes a generated atlas. Afterwards the index must open, pass SQLite's and our integrity
/// checks, and hold only whole entries (every passage, image, tile, vector and full-text row, compared with the
/// atlas source and with an uninterrupted ingest); re-running the ingest must complete it to the same result.
/// A reader polling the index during an ingest must never see half an entry either.
@Suite(.serialized) struct CrashSafetyTests {
    static let entryCount = 12
    static let killRuns = 4
    static let seed: UInt64 = 0xA71A5

    @Test func aReaderDuringIngestSeesOnlyWholeEntries() throws {
        let reference = try Reference.shared.get()
        // The reader must have watched the atlas fill up, or it proved nothing.
        #expect(reference.reader.snapshots >= 3, "the reader took only \(reference.reader.snapshots) snapshots")
        #expect(reference.reader.entryCountsSeen.contains { $0 > 0 && $0 < Self.entryCount },
                "the reader never saw a partly ingested atlas: \(reference.reader.entryCountsSeen.sorted())")
        print("crash safety: reader took \(reference.reader.snapshots) snapshots during a \(String(format: "%.1f", reference.seconds)) s ingest, saw entry counts \(reference.reader.entryCountsSeen.sorted())")
        #expect(reference.reader.errors.isEmpty, "\(reference.reader.errors.prefix(3))")
        #expect(reference.reader.halfEntries.isEmpty, "\(reference.reader.halfEntries.prefix(3))")
    }

    @Test func killedIngestsLeaveOnlyWholeEntriesAndARerunCompletesTheAtlas() throws {
        let reference = try Reference.shared.get()
        var rng = SplitMix(seed: Self.seed)
        var partial: [Int] = []
        for run in 0..<Self.killRuns {
            let db = reference.atlas.url("killed-\(run).sqlite").path
            // Aimed by progress, not by the clock (machines differ, and so does their load): each run waits until
            // a seeded number of entries is in (strata 0–2, 3–5, … so early and late kills both happen), then a
            // seeded fraction of a second more, so the kill can land anywhere inside the next entry's work.
            let stratum = Self.entryCount / Self.killRuns
            let target = run * stratum + Int(rng.next() % UInt64(stratum))
            let extra = 0.4 * rng.unit()
            let killed = try IngestProcess.start(atlas: reference.atlas.root, db: db)
            let finished = killed.waitOrKill(afterEntries: target, thenSeconds: extra, db: db)
            let context = "run \(run) (seed \(Self.seed), killed after \(target) entries + \(String(format: "%.2f", extra)) s)"

            let store = try AtlasStore(path: db)
            #expect(try store.integrityProblems() == [], "\(context)")
            let footprints = try store.entryFootprints()
            for (id, footprint) in footprints {
                #expect(footprint == reference.footprints[id], "\(context): entry '\(id)' is not whole: \(footprint)")
            }
            if !finished { partial.append(footprints.count) }
            print("crash safety: \(context): \(finished ? "finished before the kill" : "killed"), \(footprints.count) of \(Self.entryCount) entries whole")

            let rerun = try IngestProcess.start(atlas: reference.atlas.root, db: db)
            #expect(rerun.waitOrKill(after: 300) && rerun.status == 0, "\(context): re-running the ingest failed")
            let completed = try AtlasStore(path: db)
            #expect(try completed.integrityProblems() == [], "\(context)")
            #expect(try completed.entryFootprints() == reference.footprints, "\(context): the re-run differs from an uninterrupted ingest")
        }
        // At least one kill must have landed with some entries written and some not, or the test proved little.
        #expect(partial.contains { $0 > 0 && $0 < Self.entryCount }, "no kill landed mid-ingest (entries present: \(partial))")
    }

    /// One uninterrupted ingest of the generated atlas, watched by a reader: the footprints every later check
    /// compares with.
    // Unchecked: TempAtlas (a class owning the folder) is only read once the reference is made.
    struct Reference: @unchecked Sendable {
        var atlas: TempAtlas
        var footprints: [String: EntryFootprint]
        var seconds: Double
        var reader: ReaderLog

        static let shared: Result<Reference, any Error> = Result { try make() }

        static func make() throws -> Reference {
            let atlas = try TempAtlas()
            try writeGeneratedAtlas(atlas, count: CrashSafetyTests.entryCount)
            let parsed = try AtlasParser.parse(at: atlas.root)
            guard parsed.entries.count == CrashSafetyTests.entryCount else {
                throw AtlasError(.atlasFormat, "generated atlas parsed to \(parsed.entries.count) entries: \(parsed.problems)")
            }
            let db = atlas.url("reference.sqlite").path
            let started = Date()
            let ingest = try IngestProcess.start(atlas: atlas.root, db: db)
            let reader = ConcurrentReader(db: db) { !ingest.isRunning }
            guard ingest.waitOrKill(after: 300), ingest.status == 0 else {
                throw AtlasError(.internal, "the reference ingest failed with status \(ingest.status)")
            }
            let seconds = Date().timeIntervalSince(started)
            var log = reader.finish()
            let footprints = try AtlasStore(path: db, readOnly: true).entryFootprints()
            // The finished index is whole against the atlas source…
            for entry in parsed.entries {
                guard let footprint = footprints[entry.entry.id] else {
                    throw AtlasError(.internal, "the reference ingest lacks entry '\(entry.entry.id)'")
                }
                if let fault = wholeness(footprint, source: entry) {
                    throw AtlasError(.internal, "the reference ingest's entry '\(entry.entry.id)' is not whole: \(fault)")
                }
            }
            // …and every entry the reader saw during the ingest was already exactly as it ended up.
            for (snapshot, entries) in log.seen {
                for (id, footprint) in entries where footprint != footprints[id] {
                    log.halfEntries.append("snapshot \(snapshot): entry '\(id)' was \(footprint), ended as \(footprints[id].map(String.init(describing:)) ?? "absent")")
                }
            }
            log.seen = []
            return Reference(
                atlas: atlas, footprints: footprints, seconds: seconds, reader: log
            )
        }

        /// Why an entry's footprint falls short of its source entry, or nil when it is whole.
        static func wholeness(_ f: EntryFootprint, source: ParsedEntry) -> String? {
            let passages = source.entry.passages.map(\.id)
            if f.passageIDs != passages { return "passages \(f.passageIDs), source has \(passages)" }
            if f.images != source.entry.images.map(\.file) { return "images \(f.images)" }
            let hashes = try? source.imageURLs.map { SHA256.hexDigest(try Data(contentsOf: $0)) }
            if f.imageSHA256s != hashes { return "stored image bytes differ from the files" }
            if f.tilesPerImage.contains(0) { return "an image without tiles: \(f.tilesPerImage)" }
            let tiles = f.tilesPerImage.reduce(0, +)
            for kind in ["passage": passages.count, "image": f.images.count, "tile": tiles] {
                let counts = f.vectors.filter { $0.key.hasPrefix(kind.key + "/") }
                if counts.isEmpty || counts.values.contains(where: { $0 != kind.value }) {
                    return "\(kind.key) vectors \(counts), expected \(kind.value) per encoder"
                }
            }
            if f.wordIndexed != passages.count || f.trigramIndexed != passages.count {
                return "full-text rows \(f.wordIndexed)/\(f.trigramIndexed) for \(passages.count) passages"
            }
            return nil
        }
    }

    struct ReaderLog: Sendable {
        var snapshots = 0
        var entryCountsSeen: Set<Int> = []
        /// Every distinct (entry, footprint) seen, by snapshot number; checked once the ingest is over.
        var seen: [(Int, [String: EntryFootprint])] = []
        var errors: [String] = []
        var halfEntries: [String] = []
    }

    /// Polls the index read-only on another thread while the ingest runs, one snapshot (transaction) at a time.
    final class ConcurrentReader: @unchecked Sendable {
        // Safe: `log` is written only by the reader thread until `done` is signalled, and read after.
        private var log = ReaderLog()
        private let done = DispatchSemaphore(value: 0)

        init(db: String, finished: @escaping @Sendable () -> Bool) {
            Thread.detachNewThread { [self] in
                var store: AtlasStore?
                var last: [String: EntryFootprint] = [:]
                while !finished() {
                    // The file appears and is migrated by the ingest; reading starts once it opens.
                    if store == nil {
                        store = try? AtlasStore(path: db, readOnly: true)
                        if store == nil || (try? store!.entryFootprints()) == nil {
                            store = nil
                            usleep(20_000)
                            continue
                        }
                    }
                    do {
                        let footprints = try store!.entryFootprints()
                        log.snapshots += 1
                        log.entryCountsSeen.insert(footprints.count)
                        if footprints != last { log.seen.append((log.snapshots, footprints)) }
                        last = footprints
                    } catch {
                        log.errors.append("\(error)")
                    }
                    usleep(5_000)
                }
                done.signal()
            }
        }

        func finish() -> ReaderLog {
            done.wait()
            return log
        }
    }
}

/// The built `atlasqa` binary running `ingest`, its output discarded.
final class IngestProcess: @unchecked Sendable {
    // Safe: Process is only touched from the test's thread; `isRunning` is documented thread-safe.
    private let process: Process

    private init(_ process: Process) { self.process = process }

    /// The folder of the test bundle, which is where `swift build` put the executables.
    static let binary: URL = {
        if let explicit = ProcessInfo.processInfo.environment["ATLASQA_BIN_DIR"] {
            return URL(fileURLWithPath: explicit).appendingPathComponent("atlasqa")
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("atlasqa").path), dir.path != "/" {
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("atlasqa")
    }()

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func start(atlas: URL, db: String) throws -> IngestProcess {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw AtlasError(.notFound, "\(binary.path) is not built; run `swift build` first")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["ingest", atlas.path, "--db", db]
        var env = ProcessInfo.processInfo.environment
        env["ATLASQA_MODELS"] = env["ATLASQA_MODELS"] ?? repository.appendingPathComponent("models").path
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return IngestProcess(process)
    }

    var isRunning: Bool { process.isRunning }
    var status: Int32 { process.terminationStatus }

    /// Waits until the index at `db` holds `entries` entries and `seconds` more have passed, then kills the
    /// process with SIGKILL; true when it ended by itself first.
    func waitOrKill(afterEntries entries: Int, thenSeconds seconds: Double, db: String) -> Bool {
        var store: AtlasStore?
        while process.isRunning {
            if store == nil { store = try? AtlasStore(path: db, readOnly: true) }
            if let count = try? store?.counts().entries, count >= entries { break }
            usleep(5_000)
        }
        return waitOrKill(after: seconds)
    }

    /// Waits up to `seconds`; true when the process ended by itself, false when it had to be killed (SIGKILL).
    func waitOrKill(after seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(2_000) }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }
}
