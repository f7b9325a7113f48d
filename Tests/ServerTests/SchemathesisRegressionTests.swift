import Foundation
import NIOHTTP1
import Testing
@testable import Server

/// What `Scripts/schemathesis` found, kept fixed.
@Suite(.serialized) struct SchemathesisRegressionTests {
    /// A known path asked with a method it does not answer is 405 with `Allow` (it was the router's 404);
    /// an unknown path stays 404.
    @Test func anUndeclaredMethodIs405WithAllow() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let cases: [(HTTPMethod, String, String)] = [
            (.TRACE, "/v1/ask", "POST"), (.PUT, "/v1/retrieve", "POST"), (.DELETE, "/v1/keys", "GET"),
            (.POST, "/health", "GET"), (.PATCH, "/", "GET"), (.TRACE, "/assets/app.css", "GET"),
            (.DELETE, "/v1/entries/some-entry", "GET"), (.PUT, "/v1/entries/some-entry/images/sub/detail.png", "GET"),
        ]
        for (method, path, allowed) in cases {
            let reply = try await server.request(method, path)
            #expect(reply.status == 405, "\(method) \(path): \(reply.status)")
            #expect(reply.headers.first(name: "Allow") == allowed, "\(method) \(path)")
            #expect(try reply.error().code == "method_not_allowed")
        }
        let unknown = try await server.request(.TRACE, "/v1/no-such-route")
        #expect(unknown.status == 404)
        #expect(unknown.headers.first(name: "Allow") == nil)
        // The declared method still works.
        #expect(try await server.get("/health").status == 200)
    }

    /// `GET /v1/audit?since=…` that is not a time is 400, and the document says so.
    @Test func aBadSinceIsADocumented400() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        for since in ["", "yesterday"] {
            #expect(try await server.get("/v1/audit?since=\(since)").status == 400)
        }
        #expect(try await server.get("/v1/audit?since=2020-01-01T00:00:00Z").status == 200)
        // RFC 3339 allows fractional seconds and offsets (was 400).
        #expect(try await server.get("/v1/audit?since=1376-07-27T07:58:15.93-11:14").status == 200)
        let document = try await server.get("/openapi.json").json()
        let audit = try #require(((document["paths"] as? [String: Any])?["/v1/audit"] as? [String: Any])?["get"] as? [String: Any])
        #expect((audit["responses"] as? [String: Any])?["400"] != nil)
    }

    /// A multipart `stream` that is neither true nor false was taken as false; it is bad input.
    @Test func aMultipartStreamMustBeABoolean() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        for (value, status) in [("{}", 400), ("maybe", 400), ("false", 200), ("0", 200), ("", 200)] {
            let (body, type) = TestServer.multipart(fields: [("question", "nuclei"), ("stream", value)], image: nil)
            let reply = try await server.request(.POST, "/v1/retrieve", body: body, contentType: type)
            #expect(reply.status == status, "stream '\(value)': \(reply.status) \(reply.text.prefix(200))")
        }
    }

    /// schemathesis 4.32 (session 4): a JSON image that is not base64 was "valid" by the document and refused by
    /// the server, and a multipart `stream` of "0" was accepted though the document said boolean. The document
    /// now says what the server decodes and takes.
    @Test func theDocumentDescribesTheImagesAndFormValuesTheServerTakes() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let document = try await server.get("/openapi.json").json()
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        let anyOf = try #require(schemas["AskRequest"]?["anyOf"] as? [[String: Any]])
        let image = try #require((anyOf[1]["properties"] as? [String: [String: Any]])?["image"])
        let regex = try NSRegularExpression(pattern: try #require(image["pattern"] as? String))
        func matches(_ text: String) -> Bool { regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).base64EncodedString()
        for text in [png, "data:image/png;base64," + png, "QUJD", "QUI"] { #expect(matches(text), "\(text)") }
        for text in ["0", "QUJDR", "data:image/png;base64,@@", "not base64!"] {
            #expect(!matches(text), "\(text)")
            #expect(try await server.postJSON("/v1/retrieve", ["image": text]).status == 400, "\(text)")
        }
        // A chat part's image_url is a data URL or {"url": …}; anything else is refused, not ignored.
        for imageURL in [[:], ["uri": "data:image/png;base64,QUJD"], ["url": 7]] as [[String: Any]] {
            let part: [String: Any] = ["type": "text", "text": "nuclei", "image_url": imageURL]
            let reply = try await server.postJSON("/v1/chat/completions", ["messages": [["role": "user", "content": [part]]]])
            #expect(reply.status == 400, "\(imageURL): \(reply.status)")
        }
        let plain: [String: Any] = ["type": "text", "text": "nuclei", "image_url": NSNull()]
        #expect(try await server.postJSON("/v1/chat/completions", ["messages": [["role": "user", "content": [plain]]]]).status == 200)
        let stream = try #require((schemas["AskForm"]?["properties"] as? [String: [String: Any]])?["stream"]?["enum"] as? [String])
        for value in ["true", "false", "1", "0", "", "TRUE", " true"] {
            let (body, type) = TestServer.multipart(fields: [("question", "nuclei"), ("stream", value)], image: nil)
            let reply = try await server.request(.POST, "/v1/retrieve", body: body, contentType: type)
            #expect((reply.status == 200) == stream.contains(value), "stream '\(value)': \(reply.status)")
        }
    }

    /// The document says what the server refuses: a question or an image is required, a blank question
    /// is not a question, and a chat needs a user message with text — so generated "valid" requests are valid.
    @Test func theDocumentRequiresWhatTheServerRequires() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let document = try await server.get("/openapi.json").json()
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        for name in ["AskRequest", "AskForm"] {
            let anyOf = try #require(schemas[name]?["anyOf"] as? [[String: Any]], "\(name)")
            #expect(anyOf.map { $0["required"] as? [String] ?? [] } == [["question"], ["image"]])
            let question = try #require((anyOf[0]["properties"] as? [String: [String: Any]])?["question"])
            let pattern = try #require(question["pattern"] as? String)
            // The pattern's idea of blank is the server's: whitespace-only questions do not match.
            let regex = try NSRegularExpression(pattern: pattern)
            func matches(_ text: String) -> Bool { regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }
            #expect(!matches(" \t\n\u{3000}\u{a0}\u{85}"))
            #expect(matches("什么") && matches(" x "))
            #expect(try await server.postJSON("/v1/retrieve", ["question": " \t\n\u{3000}\u{a0}"]).status == 400)
        }
        let chat = try #require(((document["paths"] as? [String: Any])?["/v1/chat/completions"] as? [String: Any])?["post"] as? [String: Any])
        let text = String(decoding: try JSONSerialization.data(withJSONObject: chat), as: UTF8.self)
        #expect(text.contains(#""contains""#) && text.contains(#""const":"user""#))
        #expect(try await server.postJSON("/v1/chat/completions", ["messages": []]).status == 400)
        // What the server takes as absent (null) the document allows; a part needs its type.
        #expect(try await server.postJSON("/v1/chat/completions", [
            "messages": [["role": "user", "content": "nuclei"], ["role": "assistant", "content": NSNull()]], "stream": NSNull(),
        ]).status == 200)
        #expect(try await server.postJSON("/v1/ask", ["question": "nuclei", "k": NSNull(), "stream": NSNull()]).status == 200)
        let part = try #require(schemas["ChatContentPart"]?["required"] as? [String])
        #expect(part == ["type"])
    }
}
