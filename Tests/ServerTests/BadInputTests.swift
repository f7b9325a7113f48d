import AtlasCore
import Foundation
import Imaging
import NIOHTTP1
import Store
import Testing
@testable import Server

/// Hostile and broken input over a real socket: every PNG kind, corrupt and oversized images, odd questions,
/// SQL and path fragments in ids. Each gets a clear JSON error (what failed, and which image or id), and the
/// server keeps serving: a good request right after each one still works.
@Suite(.serialized) struct BadInputTests {
    static let tissue: RGBImage = {
        var pixels = [UInt8](repeating: 0, count: 48 * 40 * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            let nucleus = (i / 3) % 7 == 0
            pixels[i] = nucleus ? 90 : 230
            pixels[i + 1] = nucleus ? 50 : 170
            pixels[i + 2] = nucleus ? 140 : 200
        }
        return RGBImage(width: 48, height: 40, pixels: pixels)
    }()

    /// The same small field written as every PNG colour type and bit depth, interlaced or not.
    static var everyPNGKind: [(String, Data)] {
        get throws {
            let kinds: [(PNGWriter.ColourType, [Int])] = [
                (.grey, [1, 8, 16]), (.rgb, [8, 16]), (.palette, [4, 8]), (.greyAlpha, [8, 16]), (.rgba, [8, 16]),
            ]
            var files: [(String, Data)] = []
            for (type, depths) in kinds {
                for depth in depths {
                    for interlaced in [false, true] {
                        let name = "\(type)-\(depth)\(interlaced ? "-adam7" : "").png"
                        files.append((name, try png(type, depth: depth, interlaced: interlaced)))
                    }
                }
            }
            return files
        }
    }

    static func png(_ type: PNGWriter.ColourType, depth: Int, interlaced: Bool) throws -> Data {
        let image = tissue
        let max = (1 << depth) - 1
        var palette: [UInt8] = []
        var samples: [UInt16] = []
        for p in 0..<(image.width * image.height) {
            let (r, g, b) = (Int(image.pixels[3 * p]), Int(image.pixels[3 * p + 1]), Int(image.pixels[3 * p + 2]))
            let grey = (r + g + b) / 3
            func scaled(_ v: Int) -> UInt16 { UInt16(v * max / 255) }
            switch type {
            case .grey: samples.append(scaled(grey))
            case .greyAlpha: samples += [scaled(grey), UInt16(max)]
            case .rgb: samples += [scaled(r), scaled(g), scaled(b)]
            case .rgba: samples += [scaled(r), scaled(g), scaled(b), scaled(200)]
            case .palette: samples.append(r < 128 ? 1 : 0)
            }
        }
        if type == .palette { palette = [230, 170, 200, 90, 50, 140] }
        return try PNGWriter(colourType: type, bitDepth: depth, interlaced: interlaced, palette: palette).write(
            width: image.width, height: image.height, samples: samples)
    }

    /// A good request, to show the server still serves after a bad one.
    static func expectStillServing(_ server: TestServer, after what: String) async throws {
        let reply = try await server.postJSON("/v1/retrieve", ["question": "adipocytes with thin membranes"])
        #expect(reply.status == 200, "after \(what): \(reply.text.prefix(200))")
        #expect(((try? reply.json())?["references"] as? [Any])?.isEmpty == false, "after \(what)")
    }

    @Test func everyPNGColourTypeAndDepthIsAcceptedAsJSONAndMultipart() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        for (name, data) in try Self.everyPNGKind {
            let json = try await server.postJSON("/v1/retrieve", ["image": "data:image/png;base64," + data.base64EncodedString()])
            #expect(json.status == 200, "\(name) as JSON: \(json.text.prefix(200))")
            let (body, type) = TestServer.multipart(fields: [], image: (name, data, "image/png"))
            let form = try await server.request(.POST, "/v1/retrieve", body: body, contentType: type)
            #expect(form.status == 200, "\(name) as multipart: \(form.text.prefix(200))")
            #expect(((try? form.json())?["references"] as? [Any])?.isEmpty == false, "\(name)")
        }
    }

    struct BrokenImage: Sendable, CustomTestStringConvertible {
        var name: String
        var data: @Sendable () throws -> Data
        var status: Int
        var code: String
        /// Words the message must hold, besides the file name.
        var says: [String]
        var testDescription: String { name }
    }

    static let brokenImages: [BrokenImage] = [
        BrokenImage(name: "zero.png", data: { Data() }, status: 400, code: "bad_input", says: ["empty"]),
        BrokenImage(name: "half.png", data: {
            let whole = try ImageCodec.encodePNG(tissue)
            return whole.prefix(whole.count / 2)
        }, status: 415, code: "corrupt_image", says: ["PNG"]),
        BrokenImage(name: "half.jpg", data: {
            let whole = try ImageCodec.encodeJPEG(tissue)
            return whole.prefix(whole.count / 2)
        }, status: 415, code: "corrupt_image", says: ["JPEG"]),
        BrokenImage(name: "scan.bmp", data: { Data("BM6\0\0\0\0\0\0\0".utf8) + Data(count: 64) }, status: 415, code: "unsupported_image", says: ["not a PNG or JPEG"]),
        BrokenImage(name: "report.pdf", data: { Data("%PDF-1.7\n".utf8) }, status: 415, code: "unsupported_image", says: ["%PDF"]),
        BrokenImage(name: "bomb.png", data: { pngWithHeader(width: 100_000, height: 100_000) }, status: 413, code: "image_too_large", says: ["100000x100000"]),
        BrokenImage(name: "bomb.jpg", data: { try jpegWithFrame(width: 65_000, height: 65_000) }, status: 413, code: "image_too_large", says: ["65000x65000"]),
        BrokenImage(name: "empty-size.png", data: { pngWithHeader(width: 0, height: 10) }, status: 415, code: "corrupt_image", says: ["PNG"]),
    ]

    @Test(arguments: brokenImages)
    func aBrokenImageIsAClearErrorNamingTheFileAndTheServerGoesOn(_ broken: BrokenImage) async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let data = try broken.data()
        let (body, type) = TestServer.multipart(fields: [("question", "what is this?")], image: (broken.name, data, "image/png"))
        for route in ["/v1/retrieve", "/v1/ask"] {
            let reply = try await server.request(.POST, route, body: body, contentType: type)
            #expect(reply.status == broken.status, "\(route) \(broken.name): \(reply.text.prefix(300))")
            let error = try reply.error()
            #expect(error.code == broken.code, "\(route) \(broken.name): \(error.message)")
            for word in [broken.name] + broken.says {
                #expect(error.message.contains(word), "\(route) \(broken.name): '\(error.message)' does not say '\(word)'")
            }
            try await Self.expectStillServing(server, after: "\(broken.name) to \(route)")
        }
        // As JSON base64 the image has no file name; the message still says what was wrong with it.
        if !data.isEmpty {
            let reply = try await server.postJSON("/v1/retrieve", ["image": data.base64EncodedString()])
            #expect(reply.status == broken.status, "\(broken.name) as JSON: \(reply.text.prefix(300))")
            #expect(try reply.error().code == broken.code)
        }
    }

    @Test func aLegalImageOverThePixelBudgetIs413AndUnderItIsAnswered() async throws {
        // A real, valid 1200 x 1000 PNG against a 1-megapixel budget (`ATLASQA_MAX_PIXELS` for `atlasqa serve`).
        var pixels = [UInt8](repeating: 0, count: 1200 * 1000 * 3)
        for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: 200 + i % 41) }
        let big = try ImageCodec.encodePNG(RGBImage(width: 1200, height: 1000, pixels: pixels))
        let server = try await TestServer.start(imageLimits: ImageLimits(maxPixels: 1_000_000))
        defer { Task { await server.stop() } }
        let (body, type) = TestServer.multipart(fields: [], image: ("scan.png", big, "image/png"))
        let reply = try await server.request(.POST, "/v1/retrieve", body: body, contentType: type)
        #expect(reply.status == 413, "\(reply.text.prefix(300))")
        let error = try reply.error()
        #expect(error.code == "image_too_large")
        #expect(error.message.contains("scan.png") && error.message.contains("1200x1000") && error.message.contains("1.0 MP"), "\(error.message)")
        try await Self.expectStillServing(server, after: "a legal image over the budget")

        let roomy = try await TestServer.start(imageLimits: ImageLimits(maxPixels: 2_000_000))
        defer { Task { await roomy.stop() } }
        let accepted = try await roomy.request(.POST, "/v1/retrieve", body: body, contentType: type)
        #expect(accepted.status == 200, "\(accepted.text.prefix(300))")
    }

    @Test func questionsWithControlCharactersFTSSyntaxAndSQLAreAnsweredAndChangeNothing() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let before = try server.services.store.counts()
        let questions = [
            "fat\u{0}cells\u{7}\u{1B}[31m red?", "\u{202E}adipocytes\u{200B} \u{FEFF}", "\"unbalanced NEAR( mucin* AND OR NOT",
            "'); DROP TABLE passages; --", "adipocytes\" OR 1=1 --", "passage_words MATCH '*'", "{}[]()^$", "脂肪\u{0}细胞",
        ]
        for question in questions {
            for route in ["/v1/retrieve", "/v1/ask"] {
                let reply = try await server.postJSON(route, ["question": question])
                #expect(reply.status == 200, "\(route) \(question.debugDescription): \(reply.text.prefix(300))")
                #expect((try? reply.json()) != nil, "\(route): not JSON")
            }
        }
        #expect(try server.services.store.counts() == before)
        #expect(try server.services.store.integrityProblems() == [])
        try await Self.expectStillServing(server, after: "odd questions")
    }

    @Test func aQuestionThatIsNotUTF8IsRefusedSayingSo() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        // Latin-1 "fétal" and a lone continuation byte: a client with the wrong charset.
        let boundary = "b0undary"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\n".utf8)
        body += Data([0x66, 0xE9, 0x74, 0x61, 0x6C, 0x20, 0x80, 0x3F])
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        let reply = try await server.request(.POST, "/v1/ask", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        #expect(reply.status == 400, "\(reply.text.prefix(300))")
        let error = try reply.error()
        #expect(error.code == "bad_input")
        #expect(error.message.contains("question") && error.message.contains("UTF-8"), "\(error.message)")
        // In a JSON body the same bytes make the JSON invalid.
        var json = Data("{\"question\": \"f".utf8)
        json += Data([0xE9, 0x80])
        json += Data("tal\"}".utf8)
        let badJSON = try await server.request(.POST, "/v1/ask", body: json, contentType: "application/json")
        #expect(badJSON.status == 400, "\(badJSON.text.prefix(300))")
        #expect(try badJSON.error().code == "bad_input")
        try await Self.expectStillServing(server, after: "a non-UTF-8 question")
    }

    @Test func aOneMegabyteQuestionIsRefusedQuicklyAndTheServerGoesOn() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let words = ["adipocytes", "mucin", "nuclei", "gland", "stroma", "脂肪", "细胞"]
        var question = ""
        var i = 0
        while question.utf8.count < 1 << 20 {
            question += words[i % words.count] + " "
            i += 1
        }
        let clock = ContinuousClock()
        let started = clock.now
        for route in ["/v1/ask", "/v1/retrieve"] {
            let reply = try await server.postJSON(route, ["question": question])
            #expect(reply.status == 413, "\(route): \(reply.text.prefix(300))")
            let error = try reply.error()
            #expect(error.code == "too_large")
            #expect(error.message.contains("question") && error.message.contains("characters"), "\(error.message)")
            #expect(!reply.text.contains(question.prefix(1000)), "the error echoes the question")
        }
        // The same in an OpenAI-style chat request.
        let chat = try await server.postJSON("/v1/chat/completions", ["messages": [["role": "user", "content": question]]])
        #expect(chat.status == 413, "\(chat.text.prefix(300))")
        #expect(clock.now - started < .seconds(10))
        // At the limit the question is still answered.
        let longest = String(question.prefix(QuestionLimits.maxCharacters))
        #expect(try await server.postJSON("/v1/retrieve", ["question": longest]).status == 200)
        try await Self.expectStillServing(server, after: "a 1 MB question")
    }

    @Test func sqlFTSAndPathTraversalInEntryIDsAndImageNamesAre404s() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let ids = [
            "..%2F..%2Fetc%2Fpasswd", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "x'%20OR%20'1'='1", "breast-dcis'--",
            "*", "%22breast%22", "breast-dcis%00", "%252E%252E%252Fetc",
        ]
        for id in ids {
            let reply = try await server.get("/v1/entries/\(id)")
            #expect(reply.status == 404, "\(id): \(reply.text.prefix(200))")
            #expect(try reply.error().code == "not_found", "\(id)")
            #expect(!reply.text.contains("root:"), "\(id) leaked a file")
        }
        let files = ["..%2F..%2F..%2Fetc%2Fpasswd", "..%2Fbreast-dcis%2Ffield.png", "%2Fetc%2Fpasswd", "field.png'%20OR%201=1--", "sub%2F..%2Ffield.png"]
        for file in files {
            let reply = try await server.get("/v1/entries/breast-dcis/images/\(file)")
            #expect(reply.status == 404, "\(file): \(reply.text.prefix(200))")
            #expect(!reply.text.contains("root:"), "\(file) leaked a file")
        }
        // Unencoded dots are resolved by the router or refused; never a file outside the atlas.
        let raw = try await server.get("/v1/entries/breast-dcis/images/../../../../etc/passwd")
        #expect(raw.status == 404 && !raw.text.contains("root:"), "\(raw.text.prefix(200))")
        for id in ["x'%20OR%201=1--", "..%2F..%2Fetc%2Fpasswd"] {
            let reply = try await server.get("/v1/conversations/\(id)")
            #expect(reply.status == 404, "\(id): \(reply.text.prefix(200))")
        }
        // The real ones still work.
        #expect(try await server.get("/v1/entries/breast-dcis").status == 200)
        #expect(try await server.get("/v1/entries/breast-dcis/images/field.png").status == 200)
        #expect(try await server.get("/v1/entries/breast-dcis/images/sub/detail.png").status == 200)
    }

    // MARK: - Crafted files

    /// A PNG whose IHDR claims `width` × `height` over one tiny IDAT: a decompression bomb's header.
    static func pngWithHeader(width: UInt32, height: UInt32) -> Data {
        func chunk(_ type: String, _ data: Data) -> Data {
            let body = Data(type.utf8) + data
            return ErrorTests.bigEndian(UInt32(data.count)) + body + ErrorTests.bigEndian(ErrorTests.crc32(body))
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        png += chunk("IHDR", ErrorTests.bigEndian(width) + ErrorTests.bigEndian(height) + Data([8, 2, 0, 0, 0]))
        png += chunk("IDAT", Data([0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]))
        png += chunk("IEND", Data())
        return png
    }

    /// A small real JPEG whose SOF0 frame header is rewritten to claim `width` × `height`.
    static func jpegWithFrame(width: UInt16, height: UInt16) throws -> Data {
        var bytes = [UInt8](try ImageCodec.encodeJPEG(tissue))
        let sof = try #require(zip(bytes.indices, bytes.dropFirst()).first { bytes[$0.0] == 0xFF && $0.1 == 0xC0 }?.0)
        bytes[sof + 5] = UInt8(height >> 8)
        bytes[sof + 6] = UInt8(height & 0xFF)
        bytes[sof + 7] = UInt8(width >> 8)
        bytes[sof + 8] = UInt8(width & 0xFF)
        return Data(bytes)
    }
}
