import Answering
import AtlasCore
import Foundation
import Hummingbird
import Retrieval
import Store
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
        // A tiny PNG whose header claims 30000 × 30000 pixels: refused from the header (pixel budget), before decoding.
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        func chunk(_ type: String, _ data: Data) -> Data {
            let body = Data(type.utf8) + data
            let crc = Self.crc32(body)
            return Self.bigEndian(UInt32(data.count)) + body + Self.bigEndian(crc)
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        png += chunk("IHDR", Self.bigEndian(30_000) + Self.bigEndian(30_000) + Data([8, 2, 0, 0, 0]))
        png += chunk("IDAT", Data([0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]))
        png += chunk("IEND", Data())
        let reply = try await server.postJSON("/v1/retrieve", ["image": png.base64EncodedString()])
        #expect(reply.status == 413, "\(reply.text)")
        #expect(try reply.error().code == "image_too_large")
    }

    static func bigEndian(_ v: UInt32) -> Data { Data([UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]) }

    static func crc32(_ data: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }

    @Test func healthIs503UntilTheIndexIsLoaded() async throws {
        // Services whose index has not been loaded yet (the app loads it once it listens).
        let path = try TestAtlas.freshCopy()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let store = try AtlasStore(path: path)
        let services = AtlasServices(
            store: store, retriever: Retriever(reader: store, imageEncoder: nil, textEncoder: nil),
            composer: AnswerComposer(decoder: ExtractiveDecoder()), settings: ServerSettings(port: 0))
        let loading = try OperationsRoutes(services: services).health()
        #expect(loading.status == .serviceUnavailable)
        #expect(loading.headers[.retryAfter] == "1")
        #expect(throws: AtlasError.self) { try AskRoutes(services: services).requireReady() }

        // Through the socket, once loaded: 200.
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        #expect(try await server.get("/health").status == 200)
    }
}
