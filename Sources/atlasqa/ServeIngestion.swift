import AtlasCore
import Foundation
import Ingest
import Server

/// `POST /v1/ingest` for `serve`: the same `Ingester` as `atlasqa ingest`, writing through the served
/// store (so the server's in-memory vector index follows every written entry) with the served encoders.
struct ServeIngestion: AtlasIngesting {
    let ingester: Ingester

    func ingest(atlasAt url: URL, strict: Bool, progress: @escaping @Sendable (IngestJobProgress) -> Void) throws -> IngestJobReport {
        let observer = IngestProgress { done, total, images in progress(IngestJobProgress(done: done, total: total, images: images)) }
        let summary = try ingester.ingest(atlasAt: url, strict: strict, progress: observer)
        return try Self.report(summary)
    }

    /// The summary as `atlasqa ingest --json` prints it.
    static func report(_ summary: IngestSummary) throws -> IngestJobReport {
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(summary))
        return IngestJobReport(summary: json, ingested: summary.entries.ingested, failed: summary.entries.failed)
    }
}
