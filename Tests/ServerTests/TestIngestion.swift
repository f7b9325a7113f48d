import AtlasCore
import Encoders
import Foundation
import Ingest
import Server
import Store

/// `POST /v1/ingest` in tests: the real `Ingester` writing through the served store, as `atlasqa serve`
/// wires it (image descriptor, lexical text only like the test atlas). `hold`, when set, keeps each job
/// waiting until the test opens it — for queue tests that need a job to be running.
struct TestIngestion: AtlasIngesting {
    let store: AtlasStore
    var hold: Gate?

    func ingest(atlasAt url: URL, strict: Bool, progress: @escaping @Sendable (IngestJobProgress) -> Void) throws -> IngestJobReport {
        hold?.wait()
        let observer = IngestProgress { done, total, images in progress(IngestJobProgress(done: done, total: total, images: images)) }
        let summary = try Ingester(writer: store, imageEncoder: HistologyDescriptor(), textEncoders: [], workers: 2)
            .ingest(atlasAt: url, strict: strict, progress: observer)
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(summary))
        return IngestJobReport(summary: json, ingested: summary.entries.ingested, failed: summary.entries.failed)
    }

    /// A latch a blocking ingest waits on (it runs on a Dispatch thread, so blocking is fine).
    final class Gate: Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        func wait() { semaphore.wait() }
        func open(_ count: Int = 1) { for _ in 0..<count { semaphore.signal() } }
    }
}
