import Foundation
import Testing
@testable import Server

/// The tar reader against archives GNU tar writes (long names as GNU `L` records and as pax headers,
/// nested folders, gzip) — what curators will upload.
@Suite struct TarArchiveTests {
    static func tree() throws -> (parent: URL, files: [String: Data]) {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-tar-\(UUID().uuidString)")
        // A path past ustar's 100-byte name field, and a file name with spaces and non-ASCII letters.
        let long = "atlas/" + String(repeating: "very-long-entry-name-", count: 6) + "x/" + String(repeating: "n", count: 90) + ".md"
        let files: [String: Data] = [
            "atlas/breast-dcis/entry.md": Data("---\ntitle: DCIS\n---\n".utf8),
            "atlas/breast-dcis/sub/field 1 (Ü).png": Data((0..<3000).map { UInt8($0 % 251) }),
            long: Data("long".utf8),
            "atlas/empty.txt": Data(),
        ]
        for (path, data) in files {
            let url = parent.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        return (parent, files)
    }

    @Test(arguments: ["gnu", "pax", "ustar-gz"])
    func gnuTarArchivesUnpackToTheSameFiles(format: String) throws {
        let (parent, files) = try Self.tree()
        defer { try? FileManager.default.removeItem(at: parent) }
        let tarFormat = format == "ustar-gz" ? "gnu" : format
        var archive = try ArchiveFixtures.run(
            "/usr/bin/env", ["tar", "--format=\(tarFormat)", "-C", parent.path, "-cf", "-", "atlas"])
        if format == "ustar-gz" {
            archive = try ArchiveFixtures.gzip(archive)
            #expect(Gunzip.isGzip(archive))
            let inflated = parent.appendingPathComponent("inflated.tar")
            let size = try Gunzip.inflate(archive, to: inflated, limit: 1 << 24, name: "a.tar.gz")
            archive = try Data(contentsOf: inflated)
            #expect(size == archive.count)
        }
        let out = parent.appendingPathComponent("out")
        let written = try TarArchive.extract(archive, into: out, limits: .init(maxBytes: 1 << 24), name: "a.tar")
        #expect(Set(written) == Set(files.keys))
        for (path, data) in files {
            #expect(FileManager.default.contents(atPath: out.appendingPathComponent(path).path) == data, "\(format): \(path)")
        }
    }

    @Test func sizeAndMemberLimitsAreEnforced() throws {
        let tar = ArchiveFixtures.tar([.file("a/one", Data(count: 600)), .file("a/two", Data(count: 600))])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-tar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: APIError.self) { try TarArchive.extract(tar, into: folder, limits: .init(maxBytes: 1000), name: "t.tar") }
        #expect(throws: APIError.self) {
            try TarArchive.extract(tar, into: folder.appendingPathComponent("b"), limits: .init(maxBytes: 1 << 20, maxMembers: 1), name: "t.tar")
        }
        #expect(try TarArchive.extract(tar, into: folder.appendingPathComponent("c"), limits: .init(maxBytes: 1200), name: "t.tar").count == 2)
    }
}
