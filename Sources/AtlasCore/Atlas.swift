public import Foundation

/// The language of a passage or a question. Chinese text gets Chinese framing and prefers Chinese passages.
public enum Language: String, Sendable, Codable, Hashable, CaseIterable {
    case en
    case zh

    /// Chinese when at least a fifth of the letters are CJK ideographs, English otherwise.
    public static func detect(_ text: String) -> Language {
        var cjk = 0
        var letters = 0
        for scalar in text.unicodeScalars {
            if scalar.isCJKIdeograph {
                cjk += 1
                letters += 1
            } else if scalar.properties.isAlphabetic {
                letters += 1
            }
        }
        guard letters > 0 else { return .en }
        return cjk * 5 >= letters ? .zh : .en
    }
}

extension Unicode.Scalar {
    /// CJK Unified Ideographs (with extensions A–B and compatibility ideographs).
    public var isCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0xF900...0xFAFF: true
        default: false
        }
    }
}

/// One atlas entry: a topic (a diagnosis or a tissue component) with its teaching text and reference images.
public struct Entry: Sendable, Codable, Hashable {
    /// Folder name or JSONL `id`: `[a-z0-9][a-z0-9-]*` for folder atlases.
    public var id: String
    public var title: String
    public var organ: String?
    public var diagnosis: String?
    public var tags: [String]
    public var stain: String?
    /// Who wrote it and where it comes from (book, page, URL, or "project-authored").
    public var source: String
    public var license: String?
    /// Keys the formats do not define, kept as JSON text (`"\"x\""`, `"[1,2]"`).
    public var metadata: [String: String]
    public var passages: [Passage]
    public var images: [AtlasImage]

    public init(
        id: String, title: String, organ: String? = nil, diagnosis: String? = nil, tags: [String] = [],
        stain: String? = nil, source: String, license: String? = nil, metadata: [String: String] = [:],
        passages: [Passage] = [], images: [AtlasImage] = []
    ) {
        self.id = id
        self.title = title
        self.organ = organ
        self.diagnosis = diagnosis
        self.tags = tags
        self.stain = stain
        self.source = source
        self.license = license
        self.metadata = metadata
        self.passages = passages
        self.images = images
    }
}

/// One retrievable unit of text: a `##` section (or a piece of a long one) of an entry.
public struct Passage: Sendable, Codable, Hashable {
    /// `<entry-id>#<ordinal>`, stable across re-ingests of unchanged text.
    public var id: String
    public var entryID: String
    /// 1-based position within the entry.
    public var ordinal: Int
    public var heading: String?
    public var text: String
    public var language: Language

    public init(entryID: String, ordinal: Int, heading: String?, text: String, language: Language? = nil) {
        self.id = "\(entryID)#\(ordinal)"
        self.entryID = entryID
        self.ordinal = ordinal
        self.heading = heading
        self.text = text
        self.language = language ?? Language.detect((heading ?? "") + " " + text)
    }
}

/// A reference image of an entry, as named in the atlas.
public struct AtlasImage: Sendable, Codable, Hashable {
    /// The file name as the atlas names it (relative to the entry folder or the .jsonl file).
    public var file: String
    public var caption: String?

    public init(file: String, caption: String? = nil) {
        self.file = file
        self.caption = caption
    }
}

/// A tile's place in its image, in the image's own pixels: `[x, y, w, h]` in JSON.
public struct TileRect: Sendable, Codable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        x = try c.decode(Int.self)
        y = try c.decode(Int.self)
        width = try c.decode(Int.self)
        height = try c.decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(x)
        try c.encode(y)
        try c.encode(width)
        try c.encode(height)
    }
}
