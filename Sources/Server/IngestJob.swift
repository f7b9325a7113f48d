import AtlasCore
import Foundation

/// One `POST /v1/ingest` as `GET /v1/jobs/{id}` shows it.
struct IngestJob: Sendable, Encodable {
    enum State: String, Sendable, Encodable {
        case queued, running, done, failed
    }

    struct Source: Sendable, Encodable {
        var name: String
        var bytes: Int
        var sha256: String
        var format: String
    }

    struct Progress: Sendable, Encodable {
        var done = 0
        var total = 0
        var images = 0
        var entriesPerSecond = 0.0
        var imagesPerSecond = 0.0

        enum CodingKeys: String, CodingKey {
            case done, total, images
            case entriesPerSecond = "entries_per_second"
            case imagesPerSecond = "images_per_second"
        }
    }

    struct Failure: Sendable, Encodable {
        var code: String
        var message: String
    }

    var id: String
    var kind = "ingest"
    var state: State
    var source: Source
    var strict: Bool
    var created: Date
    var started: Date?
    var finished: Date?
    var progress = Progress()
    /// 1 for the next job to run, 2 after it, …; 0 once it runs or has run.
    var queuePosition = 0
    /// The summary exactly as `atlasqa ingest --json` prints it (entries, passages, images, tiles,
    /// problems with file and line), paths relative to the upload.
    var summary: JSONValue?
    var error: Failure?

    /// Who may see it: its submitter's owner id (admins see every job).
    var owner: String

    enum CodingKeys: String, CodingKey {
        case id, kind, state, source, strict, created, started, finished, progress, summary, error
        case queuePosition = "queue_position"
    }

    // Every key is written (null when unset) so the shape is fixed for clients.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(state, forKey: .state)
        try c.encode(source, forKey: .source)
        try c.encode(strict, forKey: .strict)
        try c.encode(created, forKey: .created)
        try c.encode(started, forKey: .started)
        try c.encode(finished, forKey: .finished)
        try c.encode(progress, forKey: .progress)
        try c.encode(queuePosition, forKey: .queuePosition)
        try c.encode(summary, forKey: .summary)
        try c.encode(error, forKey: .error)
    }
}
