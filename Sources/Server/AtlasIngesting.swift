public import AtlasCore
public import Foundation

/// The capability `POST /v1/ingest` needs: ingest an atlas into the index the server answers from.
/// The CLI's `serve` wires the Ingest module's `Ingester` (writing through the served `AtlasStore`, so
/// the in-memory vector index follows each written entry); this module stays free of encoders.
public protocol AtlasIngesting: Sendable {
    /// Ingests the atlas folder or .jsonl file at `url`. Blocking: it runs on a thread of its own.
    /// `progress` is called after each entry. Bad entries are skipped and reported in the summary;
    /// a throw means the atlas could not be ingested at all (or, `strict`, that nothing was written).
    func ingest(atlasAt url: URL, strict: Bool, progress: @escaping @Sendable (IngestJobProgress) -> Void) throws -> IngestJobReport
}

/// How far an ingest job has come.
public struct IngestJobProgress: Sendable, Hashable {
    /// Entries handled (written, unchanged or failed) of `total`.
    public var done: Int
    public var total: Int
    /// Images embedded so far.
    public var images: Int

    public init(done: Int, total: Int, images: Int) {
        self.done = done
        self.total = total
        self.images = images
    }
}

/// What an ingest did: the summary exactly as `atlasqa ingest --json` prints it, and its headline counts.
public struct IngestJobReport: Sendable {
    public var summary: JSONValue
    public var ingested: Int
    public var failed: Int

    public init(summary: JSONValue, ingested: Int, failed: Int) {
        self.summary = summary
        self.ingested = ingested
        self.failed = failed
    }
}
