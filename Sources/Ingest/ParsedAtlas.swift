public import AtlasCore
public import Foundation

public enum AtlasFormat: String, Sendable, Codable, Hashable {
    case folder
    case jsonl
}

/// The optional `atlas.json` of a folder atlas.
public struct AtlasInfo: Sendable, Codable, Hashable {
    public var name: String?
    public var version: String?
    public var description: String?
    public var license: String?

    public init(name: String? = nil, version: String? = nil, description: String? = nil, license: String? = nil) {
        self.name = name
        self.version = version
        self.description = description
        self.license = license
    }
}

/// One entry that parsed cleanly: its text, and where each of its images is on disk.
public struct ParsedEntry: Sendable {
    public var entry: Entry
    /// The files of `entry.images`, in the same order, checked to be inside the atlas and PNG/JPEG.
    public var imageURLs: [URL]
    /// The file that defines the entry (its entry.md, or the .jsonl).
    public var file: String
    /// The entry's line in `file` (JSON Lines), nil for entry.md.
    public var line: Int?

    public init(entry: Entry, imageURLs: [URL], file: String, line: Int? = nil) {
        self.entry = entry
        self.imageURLs = imageURLs
        self.file = file
        self.line = line
    }
}

/// An atlas as read from disk: the entries that parsed, and the problems that made others be skipped.
public struct ParsedAtlas: Sendable {
    public var url: URL
    public var format: AtlasFormat
    public var info: AtlasInfo?
    public var entries: [ParsedEntry]
    public var problems: [AtlasProblem]
    /// Entries (folders, lines) skipped because of a problem.
    public var skipped: Int

    public init(url: URL, format: AtlasFormat, info: AtlasInfo? = nil, entries: [ParsedEntry], problems: [AtlasProblem], skipped: Int) {
        self.url = url
        self.format = format
        self.info = info
        self.entries = entries
        self.problems = problems
        self.skipped = skipped
    }
}

/// Reads an atlas in either format. Reading only: nothing is decoded, embedded or written.
public enum AtlasParser {
    /// A folder is a folder atlas; a `.jsonl` (or `.ndjson`) file is JSON Lines.
    /// Throws only when the atlas as a whole cannot be read; a bad entry is a problem and is skipped.
    public static func parse(at url: URL, splitter: PassageSplitter = PassageSplitter()) throws -> ParsedAtlas {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw AtlasError(.notFound, "reading atlas '\(url.path)': no such file or folder")
        }
        if isDirectory.boolValue {
            return try FolderAtlasParser(root: url, splitter: splitter).parse()
        }
        let ext = url.pathExtension.lowercased()
        guard ext == "jsonl" || ext == "ndjson" else {
            throw AtlasError(.atlasFormat, "reading atlas '\(url.path)': expected an atlas folder or a .jsonl file")
        }
        return try JSONLinesAtlasParser(file: url, splitter: splitter).parse()
    }
}

/// Entry ids of folder atlases: `[a-z0-9][a-z0-9-]*`.
enum EntryID {
    static func isValidFolderID(_ id: String) -> Bool {
        guard let first = id.utf8.first, isLowerAlnum(first) else { return false }
        return id.utf8.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// JSON Lines ids: any non-empty string without '/' or control characters.
    static func isValidLineID(_ id: String) -> Bool {
        !id.isEmpty && !id.unicodeScalars.contains { $0 == "/" || $0.properties.generalCategory == .control }
    }

    private static func isLowerAlnum(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }
}

/// Builds an entry's passages from its sections, splitting long ones; ordinals run 1… over the entry.
enum PassageBuilder {
    static func passages(entryID: String, sections: [MarkdownSection], splitter: PassageSplitter) -> [Passage] {
        var passages: [Passage] = []
        for section in sections {
            for piece in splitter.split(section.text) {
                let heading = section.heading.flatMap { $0.isEmpty ? nil : $0 }
                passages.append(Passage(entryID: entryID, ordinal: passages.count + 1, heading: heading, text: piece))
            }
        }
        return passages
    }
}
