import AtlasCore
import Foundation
import Illustration
import Imaging
import NIOHTTP1
import Store
import Testing
@testable import Server

/// `POST /v1/ingest` and `GET /v1/jobs/{id}` through a real socket: archives as curators make them, bad
/// and hostile archives, roles, and the one-at-a-time queue.
@Suite(.serialized) struct IngestRouteTests {
    /// Polls the job until it has finished (or 60 s pass).
    static func finished(_ server: TestServer, _ location: String, key: String? = nil) async throws -> [String: Any] {
        for _ in 0..<600 {
            let job = try await server.get(location, key: key).json()
            if let state = job["state"] as? String, state == "done" || state == "failed" { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the job at \(location) did not finish within 60 s")
        return [:]
    }

    static func retrieveFirstEntry(_ server: TestServer, _ question: String) async throws -> String? {
        let reply = try await server.postJSON("/v1/retrieve", ["question": question, "k": 3])
        return (try reply.json()["references"] as? [[String: Any]])?.first?["entry"] as? String
    }

    @Test func aGzippedFolderAtlasIsIngestedInTheBackgroundAndAnsweredFromAtOnce() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-upload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        try ArchiveFixtures.folderAtlas(named: "MyAtlas", in: parent)
        let archive = try ArchiveFixtures.gnuTar("MyAtlas", in: parent, gzip: true)
        #expect(try await Self.retrieveFirstEntry(server, "zebracytes striped") != "zebra-cells")

        let reply = try await server.request(.POST, "/v1/ingest", body: archive, contentType: "application/gzip")
        #expect(reply.status == 202, "\(reply.text)")
        let location = try #require(reply.headers.first(name: "Location"))
        let accepted = try reply.json()
        #expect(location == "/v1/jobs/\(accepted["id"] as? String ?? "?")")
        #expect(["queued", "running"].contains(accepted["state"] as? String))
        let source = try #require(accepted["source"] as? [String: Any])
        #expect(source["bytes"] as? Int == archive.count && source["format"] as? String == "folder")
        #expect(source["sha256"] as? String == SHA256.hexDigest(archive))

        let job = try await Self.finished(server, location)
        #expect(job["state"] as? String == "done", "\(job)")
        let progress = try #require(job["progress"] as? [String: Any])
        #expect(progress["done"] as? Int == 2 && progress["total"] as? Int == 2 && progress["images"] as? Int == 1)
        let summary = try #require(job["summary"] as? [String: Any])
        let entries = try #require(summary["entries"] as? [String: Any])
        #expect(entries["ingested"] as? Int == 2 && entries["failed"] as? Int == 0)
        #expect(summary["passages"] as? Int == 2 && summary["images"] as? Int == 1 && (summary["tiles"] as? Int ?? 0) > 0)
        #expect((summary["problems"] as? [Any])?.isEmpty == true)
        #expect(!(summary["atlas"] as? String ?? "/").hasPrefix("/"), "paths are shown relative to the upload, not the server's temp folder")
        #expect(job["started"] is String && job["finished"] is String && job["error"] is NSNull)

        // The running server answers from the new entries, images included.
        #expect(try await Self.retrieveFirstEntry(server, "zebracytes striped") == "zebra-cells")
        let image = try await server.get("/v1/entries/zebra-cells/images/zebra.png")
        #expect(image.status == 200 && image.body.starts(with: [0x89, 0x50]))
        let health = try await server.get("/health").json()
        #expect((health["counts"] as? [String: Any])?["entries"] as? Int == TestAtlas.morphologies.count + 2)

        let list = try await server.get("/v1/jobs").json()
        #expect((list["jobs"] as? [[String: Any]])?.first?["id"] as? String == accepted["id"] as? String)
        let audit = try server.services.store.auditRecords()
        #expect(audit.contains { $0.route == "/v1/ingest" && $0.status == 202 && ($0.question ?? "").contains(SHA256.hexDigest(archive)) })
        #expect(audit.contains { $0.route.hasPrefix("ingest-job ") && $0.status == 200 && ($0.question ?? "").contains("2 written, 0 failed") })

        // GNU tar without gzip, as a multipart upload: everything is unchanged now.
        let plain = try ArchiveFixtures.gnuTar("MyAtlas", in: parent, gzip: false)
        let (body, type) = TestServer.upload(plain, filename: "MyAtlas.tar", type: "application/x-tar")
        let again = try await server.request(.POST, "/v1/ingest", body: body, contentType: type)
        #expect(again.status == 202, "\(again.text)")
        let second = try await Self.finished(server, try #require(again.headers.first(name: "Location")))
        #expect(((second["summary"] as? [String: Any])?["entries"] as? [String: Any])?["unchanged"] as? Int == 2)
    }

    @Test func aJSONLinesArchiveReportsBadLinesWithFileAndLineAndIngestsTheRest() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let png = try ImageCodec.encodePNG(HistologyRenderer().render(.smoothMuscle, style: .standard, size: 128, seed: 3))
        let jsonl = """
            {"id": "okapi-fibres", "title": "Okapi fibres", "text": "Okapi fibres are banded spindle cells.", "images": ["img/okapi.png"], "source": "test"}
            {"id": "missing-image", "title": "Missing", "text": "This line names an image the archive lacks.", "images": ["img/nope.png"], "source": "test"}
            {"id": broken json
            """
        let tar = ArchiveFixtures.tar([.folder("atlas/"), .file("atlas/captions.jsonl", Data(jsonl.utf8)), .file("atlas/img/okapi.png", png)])
        let (body, type) = TestServer.upload(tar, filename: "captions.tar", type: "application/x-tar")
        let reply = try await server.request(.POST, "/v1/ingest", body: body, contentType: type)
        #expect(reply.status == 202, "\(reply.text)")
        #expect((try reply.json()["source"] as? [String: Any])?["format"] as? String == "jsonl")
        let job = try await Self.finished(server, try #require(reply.headers.first(name: "Location")))
        #expect(job["state"] as? String == "done")
        let summary = try #require(job["summary"] as? [String: Any])
        #expect((summary["entries"] as? [String: Any])?["ingested"] as? Int == 1)
        let problems = try #require(summary["problems"] as? [[String: Any]])
        #expect(problems.count == 2, "\(problems)")
        #expect(Set(problems.compactMap { $0["line"] as? Int }) == [2, 3])
        for p in problems { #expect((p["file"] as? String)?.hasSuffix("captions.jsonl") == true && !(p["file"] as? String ?? "/").hasPrefix("/")) }
        #expect(try await Self.retrieveFirstEntry(server, "okapi banded spindle") == "okapi-fibres")

        // A bare JSON Lines body: text-only entries.
        let line = #"{"id": "tapir-bodies", "title": "Tapir bodies", "text": "Tapir bodies are round eosinophilic inclusions.", "source": "test"}"#
        let bare = try await server.request(.POST, "/v1/ingest", body: Data(line.utf8), contentType: "application/x-ndjson")
        #expect(bare.status == 202)
        let bareJob = try await Self.finished(server, try #require(bare.headers.first(name: "Location")))
        #expect(bareJob["state"] as? String == "done")
        #expect(try await Self.retrieveFirstEntry(server, "tapir eosinophilic inclusions") == "tapir-bodies")

        // An atlas that cannot be ingested at all is a failed job with the reason.
        let empty = try await server.request(.POST, "/v1/ingest", body: Data("\n\n".utf8), contentType: "application/x-ndjson")
        let failed = try await Self.finished(server, try #require(empty.headers.first(name: "Location")))
        #expect(failed["state"] as? String == "failed")
        #expect(((failed["error"] as? [String: Any])?["message"] as? String)?.contains("no entries") == true)
    }

    @Test func hostileAndBrokenArchivesAreRefusedNamingTheFault() async throws {
        var settings = ServerSettings(port: 0)
        settings.maxIngestBytes = 256 * 1024
        settings.maxUnpackedIngestBytes = 2 * 1024 * 1024
        let server = try await TestServer.start(settings)
        defer { Task { await server.stop() } }
        let entry = Data("---\ntitle: x\nsource: y\n---\n## A\nText.\n".utf8)
        let cases: [(String, Data, Int, String, String)] = [
            ("dot-dot", ArchiveFixtures.tar([.file("atlas/../../escape.txt", Data("x".utf8))]), 400, "unsafe_archive", "atlas/../../escape.txt"),
            ("absolute", ArchiveFixtures.tar([.file("/tmp/atlasqa-absolute.txt", Data("x".utf8))]), 400, "unsafe_archive", "absolute"),
            ("symlink", ArchiveFixtures.tar([.file("a/entry.md", entry), .symlink("a/x.png", to: "/etc/passwd")]), 400, "unsafe_archive", "symbolic link"),
            ("hardlink", ArchiveFixtures.tar([.hardlink("a/x.png", to: "/etc/shadow")]), 400, "unsafe_archive", "hard link"),
            ("fifo", ArchiveFixtures.tar([.fifo("a/pipe")]), 400, "unsafe_archive", "device or FIFO"),
            ("not tar", Data(repeating: 0x41, count: 2048), 400, "bad_archive", "not a tar archive"),
            ("truncated", ArchiveFixtures.tar([.file("a/entry.md", Data(repeating: 0x41, count: 4000))]).prefix(1536), 400, "bad_archive", "truncated"),
            ("no atlas", ArchiveFixtures.tar([.file("notes/readme.txt", Data("hello".utf8))]), 400, "bad_archive", "neither an atlas folder"),
            ("bomb", try ArchiveFixtures.gzip(ArchiveFixtures.tar([.file("a/entry.md", Data(count: 8 * 1024 * 1024))])), 413, "too_large", "more than the limit"),
            ("bad gzip", Data([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]) + Data(repeating: 0xff, count: 64), 400, "bad_input", "gzip"),
            ("too big", Data(count: 300 * 1024), 413, "too_large", "larger than the limit"),
        ]
        for (label, body, status, code, words) in cases {
            let reply = try await server.request(.POST, "/v1/ingest", body: body, contentType: "application/x-tar")
            #expect(reply.status == status, "\(label): \(reply.text)")
            let error = try reply.error()
            #expect(error.code == code, "\(label): \(error)")
            #expect(error.message.contains(words), "\(label): \(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/atlasqa-absolute.txt"))
        let html = try await server.request(.POST, "/v1/ingest", body: Data("<html>".utf8), contentType: "text/html")
        #expect(try html.status == 415 && html.error().code == "unsupported_type")
        #expect(try server.services.store.counts().entries == TestAtlas.morphologies.count, "nothing was ingested")
        let refused = try server.services.store.auditRecords().filter { $0.route == "/v1/ingest" }
        #expect(refused.count == cases.count + 1 && refused.allSatisfy { $0.status >= 400 })
    }

    @Test func onlyCuratorsIngestAndJobsAreTheirSubmittersOwn() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let store = server.services.store
        let reader = try store.createAccessKey(role: .reader)
        let curator = try store.createAccessKey(role: .curator)
        let otherCurator = try store.createAccessKey(role: .curator)
        let admin = try store.createAccessKey(role: .admin)
        let line = Data(#"{"id": "gnu-cells", "title": "Gnu cells", "text": "Gnu cells are bearded.", "source": "test"}"#.utf8)

        #expect(try await server.request(.POST, "/v1/ingest", body: line, contentType: "application/x-ndjson").status == 401)
        let forbidden = try await server.request(.POST, "/v1/ingest", body: line, contentType: "application/x-ndjson", key: reader.token)
        #expect(try forbidden.status == 403 && forbidden.error().code == "forbidden")
        let accepted = try await server.request(.POST, "/v1/ingest", body: line, contentType: "application/x-ndjson", key: curator.token)
        #expect(accepted.status == 202)
        let location = try #require(accepted.headers.first(name: "Location"))
        #expect(try await Self.finished(server, location, key: curator.token)["state"] as? String == "done")
        #expect(try await server.get(location, key: otherCurator.token).status == 404)
        #expect(try await server.get(location, key: reader.token).status == 403)
        #expect(try await server.get(location, key: admin.token).status == 200)
        #expect((try await server.get("/v1/jobs", key: otherCurator.token).json()["jobs"] as? [Any])?.isEmpty == true)
        #expect(try store.auditRecords(keyID: curator.key.id).contains { $0.route.hasPrefix("ingest-job") && $0.status == 200 })
    }

    @Test func oneIngestRunsAtATimeAndAFullQueueIs503() async throws {
        var settings = ServerSettings(port: 0)
        settings.maxQueuedIngests = 1
        let hold = TestIngestion.Gate()
        let server = try await TestServer.start(settings, ingestion: { TestIngestion(store: $0, hold: hold) })
        defer { Task { await server.stop() } }
        func submit(_ id: String) async throws -> TestServer.Reply {
            let line = #"{"id": "\#(id)", "title": "\#(id)", "text": "Queued entry \#(id).", "source": "test"}"#
            return try await server.request(.POST, "/v1/ingest", body: Data(line.utf8), contentType: "application/x-ndjson")
        }
        let first = try await submit("first-entry")
        let firstAt = try #require(first.headers.first(name: "Location"))
        for _ in 0..<100 where (try await server.get(firstAt).json()["state"] as? String) != "running" {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await server.get(firstAt).json()["state"] as? String == "running")
        let second = try await submit("second-entry")
        #expect(second.status == 202)
        #expect(try second.json()["state"] as? String == "queued" && second.json()["queue_position"] as? Int == 1)
        let third = try await submit("third-entry")
        #expect(third.status == 503, "\(third.text)")
        #expect(try third.error().code == "busy" && third.headers.first(name: "Retry-After") != nil)
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains("atlasqa_ingest_jobs_running 1") && metrics.contains("atlasqa_ingest_queue_depth 1"))
        // /health stays answered while an ingest runs.
        #expect(try await server.get("/health").status == 200)

        hold.open(2)
        let a = try await Self.finished(server, firstAt)
        let b = try await Self.finished(server, try #require(second.headers.first(name: "Location")))
        #expect(a["state"] as? String == "done" && b["state"] as? String == "done")
        let formatter = ISO8601DateFormatter()
        let aEnd = try #require(formatter.date(from: a["finished"] as? String ?? ""))
        let bStart = try #require(formatter.date(from: b["started"] as? String ?? ""))
        #expect(bStart >= aEnd.addingTimeInterval(-1), "the second job starts after the first")
    }
}
