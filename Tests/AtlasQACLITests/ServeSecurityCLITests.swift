import Foundation
import Illustration
import Testing

/// What an `atlasqa serve` process exposes: nothing secret or personal in its log at the default level,
/// no listening beyond loopback without keys, keys kept only as hashes.
@Suite struct ServeSecurityCLITests {
    func atlas() async throws -> GeneratedAtlas { try await GeneratedAtlas.sharedOffPool() }

    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        try await onDispatchThread { try CLI.atlasqa(arguments, environment: environment) }
    }

    @Test func theDefaultLogHoldsNoKeyNoQuestionAndNoImage() async throws {
        let database = try CLI.copyDatabase(try await atlas().database)
        let created = try await run(["keys", "create", "--role", "reader", "--db", database.path, "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let token = try #require(try created.json()["key"] as? String)
        let secret = String(token.split(separator: "_").last ?? "")
        let server = try await ServeProcess.start(database: database)
        let port = server.port
        let question = "Zebra-striped quokka nuclei near the duct — what are they?"
        let png = try Data(contentsOf: await atlas().queryImage(.breastDCIS, seed: 41))
        let base64 = png.base64EncodedString()

        let statuses: [Int] = try await onDispatchThread {
            var statuses: [Int] = []
            // Answered, streamed, OpenAI-style, refused (wrong key), bad input, unknown conversation, too large a k.
            statuses.append(try LoopbackHTTP.json(port: port, "POST", "/v1/ask", ["question": question, "image": base64], key: token).status)
            statuses.append(try LoopbackHTTP.json(port: port, "POST", "/v1/ask", ["question": question, "stream": true], key: token).status)
            statuses.append(try LoopbackHTTP.json(port: port, "POST", "/v1/retrieve", ["question": question, "image": base64], key: token).status)
            statuses.append(try LoopbackHTTP.json(port: port, "POST", "/v1/chat/completions", [
                "messages": [["role": "user", "content": [["type": "text", "text": question],
                                                          ["type": "image_url", "image_url": ["url": "data:image/png;base64," + base64]]]]],
            ], key: token).status)
            statuses.append(try LoopbackHTTP.json(port: port, "POST", "/v1/ask", ["question": question], key: token + "x").status)
            statuses.append(try LoopbackHTTP.json(port: port, "POST", "/v1/ask", ["question": question, "image": "bm90IGFuIGltYWdl"], key: token).status)
            statuses.append(try LoopbackHTTP.json(port: port, "POST", "/v1/ask", ["question": question, "conversation": "c-none"], key: token).status)
            statuses.append(try LoopbackHTTP.request(port: port, "POST", "/v1/ask", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                                                     body: Data("{\"question\": \"\(question)\", \"k\": ".utf8)).status)
            return statuses
        }
        #expect(statuses == [200, 200, 200, 200, 401, 415, 404, 400], "\(statuses)")
        await server.stop()
        let log = server.stderr
        #expect(log.contains("listening on"), "the log is captured: \(log.prefix(300))")
        for (name, secretText) in [("the key", token), ("the key's secret", secret), ("the question", question),
                                   ("part of the question", "quokka"), ("the image", String(base64.prefix(40)))] {
            #expect(!log.contains(secretText), "\(name) is in the server log:\n\(log.prefix(2000))")
        }
    }

    @Test func withoutKeysTheServerWillNotListenBeyondLoopback() async throws {
        let database = try CLI.copyDatabase(try await atlas().database)
        for host in ["0.0.0.0", "::"] {
            let refused = try await run(["serve", "--db", database.path, "--host", host, "--port", "0"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("refusing to listen on '\(host)' without API keys"), "\(refused.stderr)")
        }
        // A revoked key is no key: still refused.
        let created = try await run(["keys", "create", "--role", "reader", "--db", database.path, "--json"])
        let id = try #require(try created.json()["id"] as? String)
        #expect(try await run(["keys", "revoke", id, "--db", database.path]).status == 0)
        let stillRefused = try await run(["serve", "--db", database.path, "--host", "0.0.0.0", "--port", "0"])
        #expect(stillRefused.status != 0)
        #expect(stillRefused.stderr.contains("without API keys"))
    }

    @Test func keysCreatedByTheCLIAreStoredHashed() async throws {
        let database = try CLI.copyDatabase(try await atlas().database)
        let created = try await run(["keys", "create", "--role", "admin", "--label", "ops", "--db", database.path, "--json"])
        let token = try #require(try created.json()["key"] as? String)
        let listed = try await run(["keys", "list", "--db", database.path, "--json"])
        #expect(listed.status == 0 && listed.stdout.contains("ops"))
        #expect(!listed.stdout.contains(token) && !listed.stdout.contains(String(token.suffix(64))))
        var bytes = Data()
        for suffix in ["", "-wal"] { bytes += (try? Data(contentsOf: URL(fileURLWithPath: database.path + suffix))) ?? Data() }
        #expect(bytes.range(of: Data(token.suffix(64).utf8)) == nil, "the key's secret is in the index file")
        #expect(bytes.range(of: Data(token.suffix(64).prefix(12).utf8)) == nil)
    }
}
