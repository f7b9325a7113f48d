import AtlasCore
public import Foundation

/// The atlas parsers, driven from memory by the fuzzers (the real parsers are internal to Ingest).
public enum IngestFuzzing {
    /// A scratch atlas with one entry folder holding a PNG, a JPEG, a sub-folder and a link out of the atlas,
    /// so image lines in fuzzed front matter reach every branch of the image checks.
    public static func makeScratchAtlas() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-fuzz-\(getpid())")
        let folder = root.appendingPathComponent("entry")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]).write(to: folder.appendingPathComponent("a.png"))
        try Data([0xFF, 0xD8, 0xFF, 0xE0]).write(to: folder.appendingPathComponent("b.jpg"))
        try Data("GIF89a".utf8).write(to: folder.appendingPathComponent("c.gif"))
        try? FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("out.png").path, withDestinationPath: "/etc/hostname")
        return root
    }

    /// Parses `data` as the entry.md of entry `entry` in `root`; returns the number of passages (0 when refused).
    public static func parseEntryMarkdown(_ data: Data, root: URL) -> Int {
        let parser = FolderAtlasParser(root: root, splitter: PassageSplitter())
        let folder = root.appendingPathComponent("entry")
        switch parser.parseEntry(id: "entry", contents: data, file: folder.appendingPathComponent("entry.md"), folder: folder) {
        case .success(let parsed):
            precondition(!parsed.entry.passages.isEmpty, "an accepted entry has no passages")
            precondition(parsed.imageURLs.count == parsed.entry.images.count, "image files and images differ")
            return parsed.entry.passages.count
        case .failure(let failure):
            precondition(!failure.problems.isEmpty, "a refused entry names no problem")
            return 0
        }
    }

    /// Parses `data` as a .jsonl in `root`; returns the number of entries accepted.
    public static func parseJSONLines(_ data: Data, root: URL) -> Int {
        let parser = JSONLinesAtlasParser(file: root.appendingPathComponent("entry/atlas.jsonl"), splitter: PassageSplitter())
        let atlas = parser.parse(contents: data)
        precondition(atlas.skipped <= atlas.problems.count, "a skipped line names no problem")
        precondition(Set(atlas.entries.map(\.entry.id)).count == atlas.entries.count, "duplicate ids accepted")
        return atlas.entries.count
    }
}
