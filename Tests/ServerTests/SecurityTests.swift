import AtlasCore
import Foundation
import Illustration
import NIOHTTP1
import Testing
@testable import Server
@testable import Store

/// Access control on every route the OpenAPI document lists, owner isolation, how keys are kept, and the
/// web page's response headers — through the real server on a real socket.
@Suite(.serialized) struct SecurityTests {
    /// The least role each operation needs; nil = public (no key looked at). Every operation in /openapi.json
    /// must be here, so a new route cannot ship without deciding who may call it.
    static let minimumRole: [String: AccessRole?] = [
        "POST /v1/ask": .reader, "POST /v1/retrieve": .reader, "GET /v1/entries/{id}": .reader,
        "GET /v1/entries/{id}/images/{file}": .reader, "GET /v1/conversations/{id}": .reader,
        "POST /v1/chat/completions": .reader, "GET /v1/models": .reader,
        "POST /v1/ingest": .curator, "GET /v1/jobs": .curator, "GET /v1/jobs/{id}": .curator,
        "GET /v1/keys": .admin, "GET /v1/audit": .admin,
        "GET /health": nil, "GET /metrics": nil, "GET /openapi.json": nil, "GET /": nil,
        "GET /assets/app.js": nil, "GET /assets/app.css": nil,
    ]

    /// A body that passes authentication and is small and harmless (it may still be refused as bad input).
    static func body(for operation: String) -> [String: Any]? {
        switch operation {
        case "POST /v1/ask", "POST /v1/retrieve": ["question": "nuclei"]
        case "POST /v1/chat/completions": ["model": "atlasqa", "messages": [["role": "user", "content": "nuclei"]]]
        case "POST /v1/ingest": [:]
        default: nil
        }
    }

    /// The operations of the live /openapi.json, as "METHOD /path".
    static func operations(_ server: TestServer) async throws -> [String] {
        let document = try await server.get("/openapi.json").json()
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return paths.flatMap { path, methods in
            methods.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) }.map { "\($0.uppercased()) \(path)" }
        }.sorted()
    }

    @Test func everyRouteChecksTheRoleOfItsKey() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let store = server.services.store
        let reader = try store.createAccessKey(role: .reader)
        let curator = try store.createAccessKey(role: .curator)
        let admin = try store.createAccessKey(role: .admin)
        let revoked = try store.createAccessKey(role: .admin)
        try store.revokeAccessKey(id: revoked.key.id)
        let forged = "atlasqa_\(admin.key.id)_" + String(repeating: "0", count: 64)

        let entry = TestAtlas.morphologies[0].id
        let operations = try await Self.operations(server)
        #expect(operations.count >= 15)
        let callers: [(name: String, key: String?, role: AccessRole?)] = [
            ("no key", nil, nil), ("forged key", forged, nil), ("revoked admin", revoked.token, nil),
            ("reader", reader.token, .reader), ("curator", curator.token, .curator), ("admin", admin.token, .admin),
        ]
        var checked = 0
        for operation in operations {
            let need = try #require(Self.minimumRole[operation], "no role decided for \(operation): add it to SecurityTests.minimumRole")
            let parts = operation.split(separator: " ", maxSplits: 1)
            let path = String(parts[1])
                .replacingOccurrences(of: "{id}", with: operation.contains("conversations") ? "c-unknown" : (operation.contains("jobs") ? "j-unknown" : entry))
                .replacingOccurrences(of: "{file}", with: "field.png")
            for caller in callers {
                let reply: TestServer.Reply
                if parts[0] == "POST" {
                    let body = try JSONSerialization.data(withJSONObject: Self.body(for: operation) ?? [:])
                    reply = try await server.request(.POST, path, body: body, contentType: "application/json", key: caller.key)
                } else {
                    reply = try await server.request(.GET, path, key: caller.key)
                }
                let label = "\(operation) as \(caller.name)"
                checked += 1
                #expect(reply.status < 500, "\(label): \(reply.status) \(reply.text.prefix(200))")
                guard let need else {
                    #expect(reply.status == 200, "\(label): a public route answers anyone")
                    continue
                }
                switch caller.role {
                case nil:
                    #expect(reply.status == 401, "\(label): \(reply.status)")
                    #expect(reply.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(label)")
                case let role? where role < need:
                    #expect(reply.status == 403, "\(label): \(reply.status)")
                    #expect((try? reply.error().code) == "forbidden", "\(label)")
                default:
                    #expect(reply.status != 401 && reply.status != 403, "\(label): \(reply.status) \(reply.text.prefix(200))")
                }
            }
        }
        print("security: \(operations.count) operations × \(callers.count) callers = \(checked) role checks")
    }

    @Test func conversationsAndTheAuditLogAreTheirOwnersOnly() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let store = server.services.store
        let alice = try store.createAccessKey(role: .reader)
        let bob = try store.createAccessKey(role: .curator)
        let admin = try store.createAccessKey(role: .admin)

        let asked = try await server.postJSON("/v1/ask", ["question": "What do the nuclei of alice look like?"], key: alice.token)
        #expect(asked.status == 200)
        let conversation = try #require(try asked.json()["conversation"] as? String)
        _ = try await server.postJSON("/v1/ask", ["question": "What do the nuclei of bob look like?"], key: bob.token)

        // The owner reads it; nobody else does — not even an admin — and nobody else can continue it.
        #expect(try await server.get("/v1/conversations/\(conversation)", key: alice.token).status == 200)
        for other in [bob, admin] {
            let read = try await server.get("/v1/conversations/\(conversation)", key: other.token)
            #expect(read.status == 404)
            #expect(!read.text.contains("alice"))
            let cont = try await server.postJSON("/v1/ask", ["question": "and then?", "conversation": conversation], key: other.token)
            #expect(cont.status == 404)
        }
        let turns = try #require(try await server.get("/v1/conversations/\(conversation)", key: alice.token).json()["turns"] as? [Any])
        #expect(turns.count == 1, "another key's attempt to continue added nothing")

        // The audit log (which holds every question) is for admins only.
        for nonAdmin in [alice, bob] {
            let audit = try await server.get("/v1/audit", key: nonAdmin.token)
            #expect(audit.status == 403)
            #expect(!audit.text.contains("nuclei"))
        }
        let records = try #require(try await server.get("/v1/audit", key: admin.token).json()["records"] as? [[String: Any]])
        let keys = Set(records.compactMap { $0["key_id"] as? String })
        #expect(keys.isSuperset(of: [alice.key.id, bob.key.id]))
        let alicesOnly = try #require(try await server.get("/v1/audit?key=\(alice.key.id)", key: admin.token).json()["records"] as? [[String: Any]])
        #expect(!alicesOnly.isEmpty && alicesOnly.allSatisfy { $0["key_id"] as? String == alice.key.id })
    }

    @Test func keysAreStoredOnlyAsHashesAndComparedWithoutEarlyExit() async throws {
        let path = try TestAtlas.freshCopy()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let store = try AtlasStore(path: path)
        let issued = try (0..<3).map { _ in try store.createAccessKey(role: .reader, label: "hash test") }
        let secret = String(issued[0].token.split(separator: "_").last!)

        // The bytes of the index file (and its write-ahead log, where fresh rows live): no token and no
        // secret anywhere, while the SHA-256 of each token is there (so the scan does see the rows).
        var bytes = Data()
        for suffix in ["", "-wal"] { bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data() }
        for key in issued {
            #expect(bytes.range(of: Data(key.token.utf8)) == nil, "token stored in plain text")
            #expect(bytes.range(of: Data(SHA256.hexDigest(Data(key.token.utf8)).utf8)) != nil)
        }
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
        #expect(bytes.range(of: Data(secret.prefix(16).utf8)) == nil)

        // Only the exact token authenticates: one changed character at the start or the end of the secret,
        // a shorter or longer secret, another key's secret under this id — all refused alike.
        let key = issued[0]
        #expect(try store.authenticate(token: key.token)?.id == key.key.id)
        let flippedFirst = "atlasqa_\(key.key.id)_" + (secret.first == "0" ? "1" : "0") + secret.dropFirst()
        let flippedLast = "atlasqa_\(key.key.id)_" + secret.dropLast() + (secret.last == "0" ? "1" : "0")
        let otherSecret = String(issued[1].token.split(separator: "_").last!)
        for wrong in [flippedFirst, flippedLast, "atlasqa_\(key.key.id)_\(secret.dropLast())", "atlasqa_\(key.key.id)_\(secret)0",
                      "atlasqa_\(key.key.id)_\(otherSecret)", "atlasqa_\(key.key.id)_", key.token.uppercased()] {
            #expect(try store.authenticate(token: wrong) == nil, "\(wrong)")
        }
        // The comparison itself: equal only when every byte is, whatever position differs.
        let a = SHA256.hexDigest(Data("a".utf8))
        #expect(AtlasStore.constantTimeEqual(a, a))
        for i in [0, 31, 63] {
            var b = Array(a.utf8)
            b[i] = b[i] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            #expect(!AtlasStore.constantTimeEqual(a, String(decoding: b, as: UTF8.self)))
        }
        #expect(!AtlasStore.constantTimeEqual(a, String(a.dropLast())))
    }

    @Test func theWebPageLoadsNothingFromOtherOriginsAndCannotBeFramed() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        for path in ["/", "/assets/app.js", "/assets/app.css", "/v1/entries/no-such-entry", "/no-such-page"] {
            let reply = try await server.get(path)
            let csp = try #require(reply.headers.first(name: "Content-Security-Policy"), "\(path): no CSP")
            let directives = Dictionary(
                csp.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init) }
                    .filter { !$0.isEmpty }.map { ($0[0], Array($0.dropFirst())) }, uniquingKeysWith: { a, _ in a })
            #expect(directives["frame-ancestors"] == ["'none'"], "\(path): \(csp)")
            #expect(directives["default-src"] == ["'self'"], "\(path): \(csp)")
            for (name, sources) in directives {
                for source in sources {
                    // Only our own origin, inline data/blob images and keywords: no host, no scheme-wide source, no wildcard.
                    #expect(["'self'", "'none'", "data:", "blob:"].contains(source), "\(path): \(name) allows \(source)")
                }
            }
            #expect(reply.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
            #expect(reply.headers.first(name: "X-Frame-Options") == "DENY", "\(path)")
        }
        // The page and its assets name no other origin (no CDN, no outside fonts or scripts).
        for path in ["/", "/assets/app.js", "/assets/app.css"] {
            let text = try await server.get(path).text
            #expect(text.firstMatch(of: /(?i)(src|href)\s*=\s*["']?(https?:)?\/\//) == nil, "\(path) loads from another origin")
            #expect(text.firstMatch(of: /(?i)url\(\s*["']?(https?:)?\/\//) == nil, "\(path) loads from another origin")
            #expect(text.firstMatch(of: /(?i)@import/) == nil, "\(path)")
        }
    }
}
