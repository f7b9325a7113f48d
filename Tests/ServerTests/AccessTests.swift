import Answering
import Retrieval
import AtlasCore
import Foundation
import Illustration
import NIOHTTP1
import Store
import Testing
@testable import Server

@Suite(.serialized) struct AccessTests {
    @Test func keysRolesRevocationOwnershipAndAudit() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let store = server.services.store
        let reader = try store.createAccessKey(role: .reader, label: "test reader")
        let other = try store.createAccessKey(role: .reader)
        let admin = try store.createAccessKey(role: .admin)
        #expect(try store.accessKeys().count == 3)

        // Keys now exist, so anonymous use ends even on loopback.
        let anonymous = try await server.postJSON("/v1/retrieve", ["question": "nuclei"])
        #expect(anonymous.status == 401)
        #expect(try anonymous.error().code == "unauthorized")
        #expect(anonymous.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
        let wrong = try await server.postJSON("/v1/retrieve", ["question": "nuclei"], key: "atlasqa_\(reader.key.id)_" + String(repeating: "0", count: 64))
        #expect(wrong.status == 401)
        let garbage = try await server.postJSON("/v1/retrieve", ["question": "nuclei"], key: "nonsense")
        #expect(garbage.status == 401)

        let png = try TestAtlas.queryPNG(.breastDCIS)
        let ok = try await server.postJSON("/v1/ask", ["question": "What are the features?", "image": png.base64EncodedString()], key: reader.token)
        #expect(ok.status == 200)
        let conversation = try #require(try ok.json()["conversation"] as? String)

        // A reader may not read admin routes; an admin may.
        let forbidden = try await server.get("/v1/keys", key: reader.token)
        #expect(forbidden.status == 403)
        #expect(try forbidden.error().code == "forbidden")
        let keys = try await server.get("/v1/keys", key: admin.token)
        #expect(keys.status == 200)
        #expect(!keys.text.contains(reader.token) && !keys.text.contains("secret"))

        // Conversations are their owner's only: another key sees "not found", and cannot continue it.
        #expect(try await server.get("/v1/conversations/\(conversation)", key: reader.token).status == 200)
        #expect(try await server.get("/v1/conversations/\(conversation)", key: other.token).status == 404)
        let hijack = try await server.postJSON("/v1/ask", ["question": "more", "conversation": conversation], key: other.token)
        #expect(hijack.status == 404)

        try store.revokeAccessKey(id: reader.key.id)
        let revoked = try await server.postJSON("/v1/retrieve", ["question": "nuclei"], key: reader.token)
        #expect(revoked.status == 401)
        #expect(try store.authenticate(token: reader.token) == nil)
        #expect(try store.authenticate(token: other.token)?.role == .reader)

        // The audit log: one row per question-bearing request, with key, question, image hash, entries.
        let rows = try store.auditRecords()
        let asked = try #require(rows.first { $0.route == "/v1/ask" && $0.status == 200 })
        #expect(asked.keyID == reader.key.id)
        #expect(asked.question == "What are the features?")
        #expect(asked.imageSHA256 == SHA256.hexDigest(png))
        #expect(asked.entryIDs.first == "breast-dcis")
        #expect(asked.decoder == "extractive")
        #expect(asked.latencyMs > 0)
        #expect(rows.contains { $0.route == "/v1/ask" && $0.status == 404 && $0.keyID == other.key.id })
        #expect(rows.contains { $0.route == "/v1/retrieve" && $0.status == 401 } == false, "unauthenticated requests are refused before auditing")
        let byKey = try store.auditRecords(keyID: other.key.id)
        #expect(byKey.allSatisfy { $0.keyID == other.key.id } && !byKey.isEmpty)
        let audit = try await server.get("/v1/audit?key=\(reader.key.id)", key: admin.token)
        #expect(audit.status == 200)
        #expect((try audit.json()["records"] as? [[String: Any]])?.count == 1)
    }

    @Test func keylessLoopbackIgnoresKeysUntilOneIsCreatedAndRevokingTheLastKeepsItLocked() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        // OpenAI's SDKs always send some key: on a keyless loopback server it is not checked.
        #expect(try await server.postJSON("/v1/retrieve", ["question": "nuclei"], key: "sk-anything").status == 200)
        #expect(try await server.postJSON("/v1/retrieve", ["question": "nuclei"]).status == 200)
        let only = try server.services.store.createAccessKey(role: .reader)
        #expect(try await server.postJSON("/v1/retrieve", ["question": "nuclei"], key: "sk-anything").status == 401)
        #expect(try await server.postJSON("/v1/retrieve", ["question": "nuclei"], key: only.token).status == 200)
        try server.services.store.revokeAccessKey(id: only.key.id)
        #expect(try await server.postJSON("/v1/retrieve", ["question": "nuclei"], key: only.token).status == 401)
        #expect(try await server.postJSON("/v1/retrieve", ["question": "nuclei"]).status == 401)
        #expect(throws: AtlasError.self) { try server.services.store.revokeAccessKey(id: "no-such-key") }
    }

    @Test func withoutKeysTheServerRefusesToListenBeyondLoopback() throws {
        let path = try TestAtlas.freshCopy()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let store = try AtlasStore(path: path)
        let services = AtlasServices(
            store: store, retriever: .init(reader: store, imageEncoder: nil, textEncoder: nil),
            composer: .init(decoder: ExtractiveDecoder()), settings: ServerSettings(host: "0.0.0.0", port: 0))
        #expect(throws: AtlasError.self) { _ = try buildApplication(services: services) }
        _ = try store.createAccessKey(role: .reader)
        _ = try buildApplication(services: services)
        #expect(ServerSettings(host: "127.0.0.1").isLoopback && ServerSettings(host: "::1").isLoopback)
        #expect(ServerSettings(host: "localhost").isLoopback && !ServerSettings(host: "192.168.1.2").isLoopback)
    }
}
