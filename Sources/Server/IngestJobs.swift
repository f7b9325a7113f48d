import AtlasCore
import Foundation
import Hummingbird
import Store

/// Background ingest jobs: one runs at a time (ingests write the one index file and use every core for
/// image embedding), at most `queueLimit` wait behind it, and past that a submission is refused with
/// 503 + Retry-After. Jobs live in memory: the last `keepFinished` finished ones stay visible; a restart
/// forgets them (the index keeps whatever entries were written, each in its own transaction).
final class IngestJobs: Sendable {
    let ingestor: (any AtlasIngesting)?
    let store: AtlasStore
    let queueLimit: Int
    let keepFinished = 100
    private let state = LockedState(State())

    struct State {
        var jobs: [String: IngestJob] = [:]
        var callers: [String: Caller] = [:]
        var uploads: [String: IngestUpload] = [:]
        var waiting: [String] = []
        var finished: [String] = []
        var draining = false
    }

    init(ingestor: (any AtlasIngesting)?, store: AtlasStore, queueLimit: Int) {
        self.ingestor = ingestor
        self.store = store
        self.queueLimit = max(0, queueLimit)
    }

    /// Jobs waiting now (for `/metrics`).
    var queued: Int { state.withLock { $0.waiting.count } }
    /// Whether a job runs now.
    var running: Int { state.withLock { s in s.jobs.values.filter { $0.state == .running }.count } }

    /// Queues `upload`; returns the job as first seen. Throws `.busy` when the queue is full (the
    /// upload is then removed).
    func submit(_ upload: IngestUpload, strict: Bool, caller: Caller) throws -> IngestJob {
        let id = "ingest-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let job = IngestJob(
            id: String(id), state: .queued,
            source: .init(name: upload.name, bytes: upload.bytes, sha256: upload.sha256, format: upload.format),
            strict: strict, created: Date(), owner: caller.owner)
        let (accepted, startDrain) = state.withLock { s -> (Bool, Bool) in
            // While a job runs, at most `queueLimit` wait behind it.
            guard !s.draining || s.waiting.count < queueLimit else { return (false, false) }
            s.jobs[job.id] = job
            s.callers[job.id] = caller
            s.uploads[job.id] = upload
            s.waiting.append(job.id)
            if s.draining { return (true, false) }
            s.draining = true
            return (true, true)
        }
        guard accepted else {
            upload.remove()
            throw AtlasError(.busy, "an ingest is running and \(queueLimit) are waiting; try again when one has finished")
        }
        if startDrain { Task.detached { await self.drain() } }
        return self.job(job.id) ?? job
    }

    /// The job as its submitter (or an admin) may see it; nil for anyone else.
    func job(_ id: String, for caller: Caller? = nil) -> IngestJob? {
        state.withLock { s in
            guard var job = s.jobs[id] else { return nil }
            if let caller, caller.role < .admin, caller.owner != job.owner { return nil }
            job.queuePosition = s.waiting.firstIndex(of: id).map { $0 + 1 } ?? 0
            return job
        }
    }

    /// The caller's jobs (every job for an admin), newest first.
    func jobs(for caller: Caller) -> [IngestJob] {
        let ids = state.withLock { s in Array(s.jobs.keys) }
        return ids.compactMap { job($0, for: caller) }.sorted { $0.created > $1.created }
    }

    /// Runs queued jobs one after another until none is left.
    private func drain() async {
        while let id = takeNext() { await run(id) }
    }

    private func takeNext() -> String? {
        state.withLock { s in
            guard !s.waiting.isEmpty else {
                s.draining = false
                return nil
            }
            let id = s.waiting.removeFirst()
            s.jobs[id]?.state = .running
            s.jobs[id]?.started = Date()
            return id
        }
    }

    private func run(_ id: String) async {
        guard let (upload, strict, caller) = state.withLock({ s in
            s.uploads[id].flatMap { u in s.jobs[id].flatMap { j in s.callers[id].map { (u, j.strict, $0) } } }
        }) else { return }
        let started = ContinuousClock.now
        let startDate = Date()
        var outcome: Result<IngestJobReport, any Error>
        if let ingestor {
            let progress: @Sendable (IngestJobProgress) -> Void = { [weak self] p in self?.update(id, p, since: startDate) }
            do {
                let report = try await offThePool { try ingestor.ingest(atlasAt: upload.atlas, strict: strict, progress: progress) }
                outcome = .success(report)
            } catch {
                outcome = .failure(error)
            }
        } else {
            outcome = .failure(AtlasError(.internal, "this server has no ingester configured"))
        }
        upload.remove()
        let root = upload.folder.appendingPathComponent("files").path
        let status: Int
        let note: String
        switch outcome {
        case .success(let report):
            status = 200
            note = "ingest \(upload.name) (\(upload.bytes) bytes, sha256 \(upload.sha256)): \(report.ingested) written, \(report.failed) failed"
            state.withLock { s in
                s.jobs[id]?.state = .done
                s.jobs[id]?.summary = Self.relativePaths(report.summary, root: root, uploadFolder: upload.folder.path)
            }
        case .failure(let error):
            let api = APIError.from(error)
            status = Int(api.status.code)
            let message = Self.relativeText(
                (error as? AtlasError)?.message ?? api.message, root: root, uploadFolder: upload.folder.path)
            note = "ingest \(upload.name) (\(upload.bytes) bytes, sha256 \(upload.sha256)): failed: \(message.prefix(300))"
            state.withLock { s in
                s.jobs[id]?.state = .failed
                s.jobs[id]?.error = .init(code: api.code, message: message)
            }
        }
        state.withLock { s in
            s.jobs[id]?.finished = Date()
            s.uploads[id] = nil
            s.callers[id] = nil
            s.finished.append(id)
            while s.finished.count > keepFinished { s.jobs[s.finished.removeFirst()] = nil }
        }
        await AuditTrail(store: store).write(
            route: "ingest-job \(id)", caller: caller, question: note, image: nil, outcome: .init(), status: status, started: started)
    }

    private func update(_ id: String, _ p: IngestJobProgress, since start: Date) {
        let elapsed = max(Date().timeIntervalSince(start), 1e-3)
        state.withLock { s in
            s.jobs[id]?.progress = .init(
                done: p.done, total: p.total, images: p.images, entriesPerSecond: Double(p.done) / elapsed,
                imagesPerSecond: Double(p.images) / elapsed)
        }
    }

    /// Paths in the summary as the curator knows them: relative to the uploaded archive, not our temp folder.
    static func relativePaths(_ value: JSONValue, root: String, uploadFolder: String) -> JSONValue {
        switch value {
        case .string(let s): .string(relativeText(s, root: root, uploadFolder: uploadFolder))
        case .array(let a): .array(a.map { relativePaths($0, root: root, uploadFolder: uploadFolder) })
        case .object(let o): .object(o.mapValues { relativePaths($0, root: root, uploadFolder: uploadFolder) })
        default: value
        }
    }

    static func relativeText(_ text: String, root: String, uploadFolder: String) -> String {
        text.replacingOccurrences(of: root + "/", with: "").replacingOccurrences(of: root, with: ".")
            .replacingOccurrences(of: uploadFolder + "/", with: "").replacingOccurrences(of: uploadFolder, with: ".")
    }
}
