import AtlasCore
import Foundation
import Hummingbird
import Store

/// Writes one audit row per question-bearing request, whatever its outcome. Images are hashed, never kept.
struct AuditTrail: Sendable {
    let store: AtlasStore

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
        // An audit failure must not turn an answered request into an error; it is logged loudly instead.
        do {
            try await offThePool {
                let record = AuditRecord(
                    route: route, keyID: caller.keyID, question: question, imageSHA256: image.map(SHA256.hexDigest),
                    entryIDs: entries, decoder: outcome.decoder, status: status, latencyMs: ms)
                try store.appendAudit(record)
            }
        } catch {
            FileHandle.standardError.write(Data("error: writing the audit log: \(error)\n".utf8))
        }
    }

    static func decoderLabel(_ info: DecoderInfo) -> String {
        var label = info.kind.rawValue
        if let model = info.model { label += ":" + model }
        if info.fallback { label += " (fallback)" }
        return label
    }
}
