import AtlasCore
import Foundation
import Hummingbird
import Store

/// Writes one audit row per question-bearing request, whatever its outcome. Images are hashed and, only
/// with `serve --keep-images`, kept as `<sha256>.<ext>` in `keptImagesFolder`; the row then names the file.
struct AuditTrail: Sendable {
    let store: AtlasStore
    var keptImagesFolder: URL? = nil

    init(store: AtlasStore, keptImagesFolder: URL? = nil) {
        self.store = store
        self.keptImagesFolder = keptImagesFolder
    }

    init(_ services: AtlasServices) {
        self.init(store: services.store, keptImagesFolder: services.settings.keptImagesFolder)
    }

    struct Outcome: Sendable {
        var entryIDs: [String] = []
        var decoder: String?
    }

    /// Runs `body` and records the request, its status (the error's status on failure) and latency.
    func record<T: Sendable>(
        route: String, caller: Caller, question: String?, image: Data?,
        _ body: () async throws -> (T, Outcome)
    ) async throws -> T {
        let started = ContinuousClock.now
        do {
            let (value, outcome) = try await body()
            await write(route: route, caller: caller, question: question, image: image, outcome: outcome, status: 200, started: started)
            return value
        } catch {
            let status = Int(APIError.from(error).status.code)
            await write(route: route, caller: caller, question: question, image: image, outcome: Outcome(), status: status, started: started)
            throw error
        }
    }

    /// Hashing a large image and the SQLite write run off the cooperative pool, so /health never waits on them.
    func write(route: String, caller: Caller, question: String?, image: Data?, outcome: Outcome, status: Int, started: ContinuousClock.Instant) async {
        let elapsed = started.duration(to: .now)
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var seen = Set<String>()
        let entries = outcome.entryIDs.filter { seen.insert($0).inserted }
        let store = self.store
        let keptImagesFolder = self.keptImagesFolder
        // An audit failure must not turn an answered request into an error; it is logged loudly instead.
        do {
            try await offThePool {
                let digest = image.map(SHA256.hexDigest)
                var kept: String?
                if let folder = keptImagesFolder, let image, let digest { kept = try Self.keep(image, digest: digest, in: folder) }
                let record = AuditRecord(
                    route: route, keyID: caller.keyID, question: question, imageSHA256: digest,
                    entryIDs: entries, decoder: outcome.decoder, status: status, latencyMs: ms, imageFile: kept)
                try store.appendAudit(record)
            }
        } catch {
            FileHandle.standardError.write(Data("error: writing the audit log: \(error)\n".utf8))
        }
    }

    /// Writes the image once under its digest (the same image asked twice is one file); returns its path.
    static func keep(_ image: Data, digest: String, in folder: URL) throws -> String {
        let ext = image.starts(with: [0x89, 0x50, 0x4e, 0x47]) ? "png" : image.starts(with: [0xff, 0xd8]) ? "jpg" : "bin"
        let file = folder.appendingPathComponent("\(digest).\(ext)")
        if !FileManager.default.fileExists(atPath: file.path) {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try image.write(to: file, options: .atomic)
            } catch {
                throw AtlasError(.storage, "keeping the query image in '\(folder.path)': \(error.localizedDescription)")
            }
        }
        return file.path
    }

    static func decoderLabel(_ info: DecoderInfo) -> String {
        var label = info.kind.rawValue
        if let model = info.model { label += ":" + model }
        if info.fallback { label += " (fallback)" }
        return label
    }
}
