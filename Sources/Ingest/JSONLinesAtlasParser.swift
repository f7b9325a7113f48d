import AtlasCore
import Foundation

/// Bulk import: one JSON object per line. Paths are relative to the .jsonl file and must stay in its folder.
struct JSONLinesAtlasParser {
    var file: URL
    var splitter: PassageSplitter

    private static let knownKeys: Set<String> = [
        "id", "title", "text", "passages", "images", "source", "license", "organ", "diagnosis", "tags", "stain",
    ]

    func parse() throws -> ParsedAtlas {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw AtlasError(.atlasFormat, "reading atlas '\(file.path)': cannot read the file")
        }
        return parse(contents: data)
    }

    /// Parses the bytes of the .jsonl at `file` (separate from reading it, so the fuzzer can drive it from memory).
    func parse(contents data: Data) -> ParsedAtlas {
        var entries: [ParsedEntry] = []
        var problems: [AtlasProblem] = []
        var firstLineOfID: [String: Int] = [:]
        var skipped = 0
        let directory = file.deletingLastPathComponent()
        let decoder = JSONDecoder()
        for (index, lineBytes) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Data(lineBytes)
            // Some editors start UTF-8 files with a byte-order mark, which JSON does not allow.
            if index == 0, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            guard line.contains(where: { !Self.isJSONWhitespace($0) }) else { continue }
            var lineSkipped = false
            func problem(_ message: String, entry: String? = nil) {
                problems.append(AtlasProblem(file: file.path, line: lineNumber, entry: entry, message: message))
                if !lineSkipped { skipped += 1 }
                lineSkipped = true
            }
            guard String(validating: line, as: UTF8.self) != nil else {
                problem("line is not UTF-8 text")
                continue
            }
            let value: JSONValue
            do {
                value = try decoder.decode(JSONValue.self, from: line)
            } catch {
                problem("line is not valid JSON: \(Self.describe(error))")
                continue
            }
            guard case .object(let object) = value else {
                problem("line must be one JSON object ({\"id\": …, \"title\": …, \"text\": …})")
                continue
            }
            switch parseEntry(object, directory: directory) {
            case .failure(let failure):
                for message in failure.messages { problem(message, entry: failure.id) }
            case .success(let entry):
                if let first = firstLineOfID[entry.id] {
                    problem("duplicate id '\(entry.id)' (first on line \(first))", entry: entry.id)
                    continue
                }
                firstLineOfID[entry.id] = lineNumber
                entries.append(ParsedEntry(entry: entry.entry, imageURLs: entry.imageURLs, file: file.path, line: lineNumber))
            }
        }
        return ParsedAtlas(url: file, format: .jsonl, entries: entries, problems: problems, skipped: skipped)
    }

    struct LineFailure: Error {
        var id: String?
        var messages: [String]
    }

    struct LineEntry {
        var entry: Entry
        var imageURLs: [URL]
        var id: String { entry.id }
    }

    func parseEntry(_ object: [String: JSONValue], directory: URL) -> Result<LineEntry, LineFailure> {
        let id: String
        switch object["id"] {
        case .string(let s)?: id = s
        case .int(let n)?: id = String(n)  // numeric ids of caption datasets
        default: return .failure(LineFailure(id: nil, messages: ["object has no string 'id'"]))
        }
        guard EntryID.isValidLineID(id) else {
            return .failure(LineFailure(id: nil, messages: ["id '\(id)' is not valid (it must be non-empty, without '/' or control characters)"]))
        }
        var messages: [String] = []
        func text(_ key: String) -> String? {
            guard let value = object[key], value != .null else { return nil }
            guard let s = value.scalarText else {
                messages.append("'\(key)' must be a string")
                return nil
            }
            let trimmed = s.trimmingWhitespace()
            return trimmed.isEmpty ? nil : String(trimmed)
        }
        let title = text("title") ?? id
        let source = text("source") ?? "unspecified"
        let organ = text("organ"), diagnosis = text("diagnosis"), stain = text("stain"), license = text("license")

        var tags: [String] = []
        switch object["tags"] {
        case nil, .null?: break
        case .string(let s)?: tags = [s]
        case .array(let items)?:
            tags = items.compactMap(\.scalarText)
            if tags.count != items.count { messages.append("'tags' must be an array of strings") }
        default: messages.append("'tags' must be an array of strings")
        }

        var sections: [MarkdownSection] = []
        if let body = text("text") { sections.append(MarkdownSection(heading: nil, text: body)) }
        switch object["passages"] {
        case nil, .null?: break
        case .array(let items)?:
            for (i, item) in items.enumerated() {
                switch item {
                case .string(let s): sections.append(MarkdownSection(heading: nil, text: s))
                case .object(let o) where o["text"]?.stringValue != nil:
                    sections.append(MarkdownSection(heading: o["heading"]?.stringValue, text: o["text"]!.stringValue!))
                default: messages.append("passages[\(i)] must be a string or {\"heading\", \"text\"}")
                }
            }
        default: messages.append("'passages' must be an array of strings or {\"heading\", \"text\"} objects")
        }
        let passages = PassageBuilder.passages(entryID: id, sections: sections, splitter: splitter)
        if passages.isEmpty, messages.isEmpty { messages.append("entry has no text (give 'text' or 'passages')") }

        var images: [AtlasImage] = []
        var imageURLs: [URL] = []
        switch object["images"] {
        case nil, .null?: break
        case .array(let items)?:
            for (i, item) in items.enumerated() {
                let image: AtlasImage
                switch item {
                case .string(let f): image = AtlasImage(file: f)
                case .object(let o) where o["file"]?.stringValue != nil:
                    image = AtlasImage(file: o["file"]!.stringValue!, caption: o["caption"]?.stringValue)
                default:
                    messages.append("images[\(i)] must be a path or {\"file\", \"caption\"}")
                    continue
                }
                if images.contains(where: { $0.file == image.file }) {
                    messages.append("image '\(image.file)' is listed twice")
                    continue
                }
                switch AtlasImageFile.locate(image.file, in: directory, root: directory) {
                case .success(let url):
                    images.append(image)
                    imageURLs.append(url)
                case .failure(let f): messages.append(f.message)
                }
            }
        default: messages.append("'images' must be an array of paths or {\"file\", \"caption\"} objects")
        }

        var metadata: [String: String] = [:]
        for (key, value) in object where !Self.knownKeys.contains(key) { metadata[key] = value.canonicalText }

        guard messages.isEmpty else { return .failure(LineFailure(id: id, messages: messages)) }
        let entry = Entry(
            id: id, title: title, organ: organ, diagnosis: diagnosis, tags: tags, stain: stain,
            source: source, license: license, metadata: metadata, passages: passages, images: images
        )
        return .success(LineEntry(entry: entry, imageURLs: imageURLs))
    }

    private static func isJSONWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    /// The useful part of a JSON decoding error (Foundation's own text buries it).
    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError {
                let text = (underlying as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
                return text ?? String(describing: underlying)
            }
            return context.debugDescription
        }
        if case DecodingError.typeMismatch(_, let context) = error {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "'\(path)': \(context.debugDescription)"
        }
        return String(describing: error)
    }
}
