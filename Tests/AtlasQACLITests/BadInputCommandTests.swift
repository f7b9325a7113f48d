import Foundation
import Illustration
import Imaging
import Testing

/// Broken and hostile input to the `atlasqa` binary: images, questions, entry ids and atlases. Each is refused
/// with one `error:` line naming what failed and where (file, line, id), with a non-zero status, and leaves the
/// index intact for the next command.
@Suite struct BadInputCommandTests {
    func atlas() throws -> GeneratedAtlas { try GeneratedAtlas.shared.get() }

    /// A good command after a bad one: the index still answers.
    func expectIndexIntact(_ atlas: GeneratedAtlas, after what: String) throws {
        let result = try CLI.atlasqa(["retrieve", "--db", atlas.database.path, "--text", "mucin", "--json"])
        #expect(result.status == 0, "after \(what): \(result.stderr)")
        #expect(try result.entriesInRankOrder().first == Illustration.Morphology.mucin.id, "after \(what)")
    }

    static let query: RGBImage = HistologyRenderer().render(.adipose, style: .standard, size: 96, seed: 5)

    struct BrokenFile: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: @Sendable () throws -> Data
        /// Words the error line must hold, besides the file name.
        var says: [String]
        var testDescription: String { name }
    }

    static let brokenFiles: [BrokenFile] = [
        BrokenFile(name: "zero.png", bytes: { Data() }, says: ["empty"]),
        BrokenFile(name: "cut.jpg", bytes: {
            let whole = try ImageCodec.encodeJPEG(query)
            return whole.prefix(whole.count / 3)
        }, says: ["JPEG"]),
        BrokenFile(name: "cut.png", bytes: {
            let whole = try ImageCodec.encodePNG(query)
            return whole.prefix(whole.count - 20)
        }, says: ["PNG"]),
        BrokenFile(name: "slide.tiff", bytes: { Data([0x49, 0x49, 0x2A, 0x00]) + Data(count: 100) }, says: ["not a PNG or JPEG"]),
        BrokenFile(name: "named.png", bytes: { Data("GIF89a".utf8) + Data(count: 40) }, says: ["GIF8"]),
        BrokenFile(name: "bomb.png", bytes: { pngHeaderOnly(width: 100_000, height: 100_000) }, says: ["100000x100000"]),
        BrokenFile(name: "bomb.jpg", bytes: { try jpegClaiming(width: 65_000, height: 65_000) }, says: ["65000x65000"]),
    ]

    @Test(arguments: brokenFiles)
    func aBrokenQueryImageIsOneErrorLineNamingIt(_ broken: BrokenFile) throws {
        let atlas = try atlas()
        let file = atlas.scratch.appendingPathComponent(broken.name)
        try broken.bytes().write(to: file)
        for command in [["retrieve", "--image", file.path], ["ask", "what is this?", "--image", file.path]] {
            let result = try CLI.atlasqa(command + ["--db", atlas.database.path])
            #expect(result.status != 0, "\(command[0]) \(broken.name)")
            #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "more than one line: \(result.stderr)")
            for word in [broken.name] + broken.says {
                #expect(result.stderr.contains(word), "\(command[0]) \(broken.name): '\(result.stderr)' does not say '\(word)'")
            }
            let json = try CLI.atlasqa(command + ["--db", atlas.database.path, "--json"])
            let error = try #require(try json.json()["error"] as? [String: Any], "\(json.stdout)")
            #expect((error["message"] as? String ?? "").contains(broken.name))
        }
        try expectIndexIntact(atlas, after: broken.name)
    }

    @Test func aMissingFileAndAFolderAreNamed() throws {
        let atlas = try atlas()
        for (path, says) in [(atlas.scratch.appendingPathComponent("nowhere.png").path, "no such file"), (atlas.scratch.path, "directory")] {
            let result = try CLI.atlasqa(["retrieve", "--image", path, "--db", atlas.database.path])
            #expect(result.status != 0)
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(says), "\(result.stderr)")
        }
    }

    @Test func sixteenBitAndGreyAlphaPNGsAreQueries() throws {
        let atlas = try atlas()
        let image = Self.query
        for (name, writer, channels) in [
            ("rgb16.png", PNGWriter(colourType: .rgb, bitDepth: 16), 3), ("grey-alpha.png", PNGWriter(colourType: .greyAlpha), 2),
            ("rgba16-adam7.png", PNGWriter(colourType: .rgba, bitDepth: 16, interlaced: true), 4),
        ] {
            let max = (1 << writer.bitDepth) - 1
            var samples: [UInt16] = []
            for p in 0..<(image.width * image.height) {
                let rgb = (0..<3).map { Int(image.pixels[3 * p + $0]) * max / 255 }
                switch channels {
                case 2: samples += [UInt16(rgb.reduce(0, +) / 3), UInt16(max)]
                case 4: samples += rgb.map(UInt16.init) + [UInt16(max)]
                default: samples += rgb.map(UInt16.init)
                }
            }
            let file = atlas.scratch.appendingPathComponent(name)
            try writer.write(width: image.width, height: image.height, samples: samples).write(to: file)
            let result = try CLI.atlasqa(["retrieve", "--image", file.path, "--db", atlas.database.path, "--json"])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(try !result.entriesInRankOrder().isEmpty, "\(name)")
        }
    }

    @Test func aLegalImageOverThePixelBudgetIsRefusedNamingTheBudget() throws {
        let atlas = try atlas()
        let file = atlas.scratch.appendingPathComponent("wide-scan.png")
        try ImageCodec.encodePNG(Self.query).write(to: file)  // 96 x 96 = 9216 pixels
        let refused = try CLI.atlasqa(["retrieve", "--image", file.path, "--db", atlas.database.path], environment: ["ATLASQA_MAX_PIXELS": "9000"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("wide-scan.png") && refused.stderr.contains("96x96") && refused.stderr.contains("exceeds"), "\(refused.stderr)")
        let accepted = try CLI.atlasqa(["retrieve", "--image", file.path, "--db", atlas.database.path], environment: ["ATLASQA_MAX_PIXELS": "9216"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }

    @Test func controlCharactersAndMixedScriptsInAQuestionAreAnswered() throws {
        let atlas = try atlas()
        for question in ["mucin\u{1}\u{1B}[31m pools?\u{7}", "\u{202E}黏液 mucin\u{200B}?", "mucin\ttab\r\ncarriage"] {
            let result = try CLI.atlasqa(["ask", question, "--db", atlas.database.path, "--json"])
            #expect(result.status == 0, "\(question.debugDescription): \(result.stderr)")
            #expect(try result.json()["answer"] is String)
        }
    }

    @Test func aQuestionThatIsNotUTF8IsRefusedNamingTheArgument() throws {
        let atlas = try atlas()
        // Only a shell can hand over raw bytes: "f\351tal" is Latin-1 "fétal".
        let script = #"exec "$0" ask "$(printf 'f\351tal cells')" --db "$1" "$2""#
        for json in [false, true] {
            let result = try CLI.run(
                URL(fileURLWithPath: "/bin/sh"),
                ["-c", script, CLI.binDirectory.appendingPathComponent("atlasqa").path, atlas.database.path, json ? "--json" : "--k=6"])
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("error: argument 2") && result.stderr.contains("not UTF-8"), "\(result.stderr)")
            if json {
                let error = try #require(try result.json()["error"] as? [String: Any])
                #expect(error["code"] as? String == "bad_input")
            }
        }
    }

    @Test func anOverlongQuestionIsRefusedWithItsLength() throws {
        let atlas = try atlas()
        let question = String(repeating: "mucin pools ", count: 2_000)  // 24 000 characters
        for command in [["ask", question], ["retrieve", "--text", question]] {
            let result = try CLI.atlasqa(command + ["--db", atlas.database.path])
            #expect(result.status != 0, "\(command[0])")
            #expect(result.stderr.contains("24000 characters") && result.stderr.contains("10000"), "\(result.stderr.prefix(300))")
            #expect(!result.stderr.contains(question.prefix(200)), "the error echoes the question")
        }
    }

    @Test(arguments: ["../../etc/passwd", "/etc/passwd", "x' OR '1'='1", "mucin'; DROP TABLE entries;--", "*", "NEAR(mucin)", "mucin\u{0}"])
    func hostileEntryIDsAreNotFound(_ id: String) throws {
        let atlas = try atlas()
        let result = try CLI.atlasqa(["show", id, "--db", atlas.database.path])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("error: no entry"), "\(result.stderr)")
        #expect(!result.stdout.contains("root:") && !result.stderr.contains("root:"))
        try expectIndexIntact(atlas, after: "show \(id)")
    }

    @Test func aFolderAtlasWithBrokenEntriesNamesEachFileAndLineAndIngestsTheRest() throws {
        let scratch = try CLI.temporaryDirectory("bad-atlas")
        let folder = scratch.appendingPathComponent("atlas")
        func entry(_ id: String, _ markdown: String) throws {
            let dir = folder.appendingPathComponent(id)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try markdown.write(to: dir.appendingPathComponent("entry.md"), atomically: true, encoding: .utf8)
        }
        func markdown(_ image: String) -> String {
            "---\ntitle: T\nsource: tests\nimages:\n  - file: \(image)\n---\n## Features\nMucin pools with floating cells.\n"
        }
        try entry("good", markdown("field.png"))
        try ImageCodec.encodePNG(Self.query).write(to: folder.appendingPathComponent("good/field.png"))
        try entry("missing-image", markdown("gone.png"))
        try entry("traversal", markdown("../../etc/passwd"))
        try entry("absolute", markdown("/etc/passwd"))
        try entry("bad-yaml", "---\ntitle: [unclosed\nsource: \"x\n---\n## A\ntext\n")
        try entry("Bad_ID'--", markdown("field.png"))
        let db = scratch.appendingPathComponent("a.sqlite").path

        let result = try CLI.atlasqa(["ingest", folder.path, "--db", db])
        #expect(result.status == 3, "\(result.stderr)")
        let said = result.stdout + result.stderr
        for expected in [
            "missing-image/entry.md:5: image 'gone.png' not found", "traversal/entry.md:5: image path '../../etc/passwd' leaves the atlas folder",
            "absolute/entry.md:5: image path '/etc/passwd' must be relative", "bad-yaml/entry.md:", "folder name 'Bad_ID'--' is not an entry id",
        ] {
            #expect(said.contains(expected), "missing '\(expected)' in:\n\(said)")
        }
        #expect(!said.contains("root:"))
        #expect(try CLI.atlasqa(["show", "good", "--db", db]).status == 0)
        for skipped in ["missing-image", "traversal", "absolute", "bad-yaml"] {
            #expect(try CLI.atlasqa(["show", skipped, "--db", db]).status != 0, "\(skipped) was ingested")
        }
    }

    @Test func aJSONLinesAtlasWithDuplicateAndHostileIDsNamesEachLine() throws {
        let scratch = try CLI.temporaryDirectory("bad-jsonl")
        let file = scratch.appendingPathComponent("atlas.jsonl")
        let sqlID = "x'); DROP TABLE entries;--"
        let ftsID = "NEAR(mucin \"pools\")*"
        var lines = [
            #"{"id": "mucin-1", "title": "Mucin", "text": "Pools of extracellular mucin with floating cells."}"#,
            #"{"id": "mucin-1", "title": "Again", "text": "A second line with the same id."}"#,
            #"{"id": "escape", "text": "t", "images": ["../../etc/passwd"]}"#,
            #"{"id": "gone", "text": "t", "images": ["missing.png"]}"#,
            #"{"id": "../../etc/passwd", "text": "t"}"#,
            #"{"id": "broken", "text": "unterminated}"#,
            try String(decoding: JSONSerialization.data(withJSONObject: ["id": sqlID, "text": "Entry whose id is an SQL fragment."]), as: UTF8.self),
            try String(decoding: JSONSerialization.data(withJSONObject: ["id": ftsID, "text": "Entry whose id is FTS5 syntax."]), as: UTF8.self),
        ].map { Data($0.utf8) }
        lines.insert(Data([0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xE9, 0x22, 0x7D]), at: 6)  // {"id":"\xE9"}: Latin-1
        try lines.reduce(Data()) { $0 + $1 + Data("\n".utf8) }.write(to: file)
        let db = scratch.appendingPathComponent("a.sqlite").path

        let result = try CLI.atlasqa(["ingest", file.path, "--db", db])
        #expect(result.status == 3, "\(result.stderr)")
        let said = result.stdout + result.stderr
        for expected in [
            "atlas.jsonl:2: duplicate id 'mucin-1' (first on line 1)", "atlas.jsonl:3: image path '../../etc/passwd' leaves the atlas folder",
            "atlas.jsonl:4: image 'missing.png' not found", "atlas.jsonl:5: id '../../etc/passwd' is not valid",
            "atlas.jsonl:6: line is not valid JSON", "atlas.jsonl:7: line is not UTF-8 text",
        ] {
            #expect(said.contains(expected), "missing '\(expected)' in:\n\(said)")
        }
        // Ids that look like SQL or FTS5 are just ids: stored, shown and searched as text.
        for id in [sqlID, ftsID, "mucin-1"] {
            let shown = try CLI.atlasqa(["show", id, "--db", db, "--json"])
            #expect(shown.status == 0, "\(id): \(shown.stderr)")
            #expect(try shown.json()["id"] as? String == id)
        }
        let found = try CLI.atlasqa(["retrieve", "--text", "SQL fragment", "--db", db, "--json"])
        #expect(try found.entriesInRankOrder().first == sqlID, "\(found.stdout.prefix(300))")
        #expect(try CLI.atlasqa(["show", "mucin-1", "--db", db, "--json"]).json()["title"] as? String == "Mucin")
    }

    // MARK: - Crafted files

    /// A PNG whose IHDR claims `width` × `height` over one tiny IDAT: a decompression bomb's header.
    static func pngHeaderOnly(width: UInt32, height: UInt32) -> Data {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes += be(13) + Array("IHDR".utf8) + be(width) + be(height) + [8, 2, 0, 0, 0]
        bytes += be(crc32(Array("IHDR".utf8) + be(width) + be(height) + [8, 2, 0, 0, 0]))
        let idat: [UInt8] = Array("IDAT".utf8) + [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        bytes += be(8) + idat + be(crc32(idat))
        bytes += be(0) + Array("IEND".utf8) + be(crc32(Array("IEND".utf8)))
        return Data(bytes)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }

    /// A real JPEG whose SOF0 claims `width` × `height`.
    static func jpegClaiming(width: UInt16, height: UInt16) throws -> Data {
        var bytes = [UInt8](try ImageCodec.encodeJPEG(query))
        let sof = try #require(zip(bytes.indices, bytes.dropFirst()).first { bytes[$0.0] == 0xFF && $0.1 == 0xC0 }?.0)
        bytes[sof + 5] = UInt8(height >> 8)
        bytes[sof + 6] = UInt8(height & 0xFF)
        bytes[sof + 7] = UInt8(width >> 8)
        bytes[sof + 8] = UInt8(width & 0xFF)
        return Data(bytes)
    }
}
