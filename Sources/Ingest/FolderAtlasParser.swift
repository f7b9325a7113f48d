import AtlasCore
import Foundation
import Yams

/// The curator's format: one folder per entry, each with an entry.md (YAML front matter + `##` sections)
/// and the images it names; an optional atlas.json describes the whole atlas.
struct FolderAtlasParser {
    var root: URL
    var splitter: PassageSplitter

    func parse() throws -> ParsedAtlas {
        var problems: [AtlasProblem] = []
        let info = readInfo(&problems)
        let children: [URL]
        do {
            children = try FileManager.default.contentsOfDirectory(
                at: root, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles]
            )
        } catch {
            throw AtlasError(.atlasFormat, "reading atlas folder '\(root.path)': \(error.localizedDescription)")
        }
        var entries: [ParsedEntry] = []
        var skipped = 0
        for folder in children.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            let name = folder.lastPathComponent
            // `_assets`-style folders are the curator's own, not entries.
            guard !name.hasPrefix("_"), (try? folder.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true else {
                continue
            }
            guard EntryID.isValidFolderID(name) else {
                problems.append(AtlasProblem(
                    file: folder.path, entry: name,
                    message: "folder name '\(name)' is not an entry id (lowercase letters, digits and '-', starting with a letter or digit)"
                ))
                skipped += 1
                continue
            }
            switch parseEntry(id: name, folder: folder) {
            case .success(let entry): entries.append(entry)
            case .failure(let failure):
                problems.append(contentsOf: failure.problems)
                skipped += 1
            }
        }
        return ParsedAtlas(url: root, format: .folder, info: info, entries: entries, problems: problems, skipped: skipped)
    }

    struct EntryFailure: Error {
        var problems: [AtlasProblem]
    }

    private func readInfo(_ problems: inout [AtlasProblem]) -> AtlasInfo? {
        let url = root.appendingPathComponent("atlas.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(AtlasInfo.self, from: data)
        } catch {
            problems.append(AtlasProblem(file: url.path, message: "atlas.json is not valid: \(JSONLinesAtlasParser.describe(error))"))
            return nil
        }
    }

    func parseEntry(id: String, folder: URL) -> Result<ParsedEntry, EntryFailure> {
        let file = folder.appendingPathComponent("entry.md")
        func fail(_ message: String, line: Int? = nil) -> Result<ParsedEntry, EntryFailure> {
            .failure(EntryFailure(problems: [AtlasProblem(file: file.path, line: line, entry: id, message: message)]))
        }
        guard FileManager.default.fileExists(atPath: file.path) else {
            return fail("entry folder has no entry.md")
        }
        guard let data = FileManager.default.contents(atPath: file.path) else { return fail("cannot read entry.md") }
        return parseEntry(id: id, contents: data, file: file, folder: folder)
    }

    /// Parses the bytes of an entry.md (read from `file`); images are looked up in `folder`.
    /// Separate from the file reading so the fuzzer (Fuzz/) can drive it from memory.
    func parseEntry(id: String, contents data: Data, file: URL, folder: URL) -> Result<ParsedEntry, EntryFailure> {
        func fail(_ message: String, line: Int? = nil) -> Result<ParsedEntry, EntryFailure> {
            .failure(EntryFailure(problems: [AtlasProblem(file: file.path, line: line, entry: id, message: message)]))
        }
        guard let text = String(validating: data, as: UTF8.self) else { return fail("entry.md is not UTF-8 text") }

        let frontMatter: FrontMatter
        switch FrontMatter.split(text) {
        case .success(let f): frontMatter = f
        case .failure(.missing):
            return fail("entry.md must start with YAML front matter (a '---' line, the fields, a '---' line)", line: 1)
        case .failure(.unclosed):
            return fail("YAML front matter opened on line 1 is never closed by a '---' line", line: 1)
        }

        let root: Node?
        do {
            root = try Yams.compose(yaml: frontMatter.yaml)
        } catch {
            let (line, message) = Self.describe(yamlError: error, firstLine: frontMatter.yamlFirstLine)
            return fail("bad YAML front matter: \(message)", line: line)
        }
        guard let mapping = root?.mapping else {
            return fail("YAML front matter must be a mapping of fields (title: …, source: …)", line: frontMatter.yamlFirstLine)
        }
        var fields = FrontMatterFields(mapping: mapping, firstLine: frontMatter.yamlFirstLine)
        var problems: [AtlasProblem] = []
        func report(_ p: FrontMatterFields.Problem) {
            problems.append(AtlasProblem(file: file.path, line: p.line, entry: id, message: p.message))
        }

        let title = fields.text("title", report)
        if title == nil {
            problems.append(AtlasProblem(file: file.path, line: frontMatter.yamlFirstLine, entry: id, message: "front matter has no 'title'"))
        }
        let source = fields.text("source", report) ?? "unspecified"
        let organ = fields.text("organ", report)
        let diagnosis = fields.text("diagnosis", report)
        let stain = fields.text("stain", report)
        let license = fields.text("license", report)
        let tags = fields.list("tags", report)
        let images = fields.images(report)
        let metadata = fields.remaining()

        var imageURLs: [URL] = []
        var seen: Set<String> = []
        for image in images {
            if !seen.insert(image.image.file).inserted {
                problems.append(AtlasProblem(file: file.path, line: image.line, entry: id, message: "image '\(image.image.file)' is listed twice"))
                continue
            }
            switch AtlasImageFile.locate(image.image.file, in: folder, root: self.root) {
            case .success(let url): imageURLs.append(url)
            case .failure(let f): problems.append(AtlasProblem(file: file.path, line: image.line, entry: id, message: f.message))
            }
        }

        let passages = PassageBuilder.passages(
            entryID: id, sections: MarkdownSections.parse(frontMatter.body), splitter: splitter
        )
        if passages.isEmpty {
            problems.append(AtlasProblem(file: file.path, entry: id, message: "entry.md has no text after the front matter"))
        }
        guard problems.isEmpty, let title else { return .failure(EntryFailure(problems: problems)) }
        let entry = Entry(
            id: id, title: title, organ: organ, diagnosis: diagnosis, tags: tags, stain: stain, source: source,
            license: license, metadata: metadata, passages: passages, images: images.map(\.image)
        )
        return .success(ParsedEntry(entry: entry, imageURLs: imageURLs, file: file.path))
    }

    /// Yams reports lines (1-based, within the YAML) for scanner, parser and composer errors; they are
    /// turned into lines of the file, whose YAML starts on `firstLine`.
    static func describe(yamlError error: any Error, firstLine: Int) -> (line: Int?, message: String) {
        guard let yaml = error as? YamlError else { return (nil, String(describing: error)) }
        func fileLine(_ line: Int) -> Int { line + firstLine - 1 }
        func withContext(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> (Int?, String) {
            let ctx = context.map { " (\($0.text) on line \(fileLine($0.mark.line)))" } ?? ""
            return (fileLine(mark.line), "\(problem)\(ctx), column \(mark.column)")
        }
        switch yaml {
        case let .scanner(context, problem, mark, _): return withContext(context, problem, mark)
        case let .parser(context, problem, mark, _): return withContext(context, problem, mark)
        case let .composer(context, problem, mark, _): return withContext(context, problem, mark)
        case let .duplicatedKeysInMapping(duplicates, context):
            return (fileLine(context.mark.line), "duplicated key(s) \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        case let .reader(problem, offset, _, yaml):
            let line = offset.map { o in yaml.prefix(o).reduce(1) { $1 == "\n" ? $0 + 1 : $0 } }
            return (line.map(fileLine), problem)
        default:
            return (nil, yaml.description)
        }
    }
}

/// Typed reads of a front-matter mapping; what is left over becomes the entry's metadata.
struct FrontMatterFields {
    struct Problem {
        var line: Int?
        var message: String
    }

    struct Image {
        var image: AtlasImage
        var line: Int?
    }

    private var fields: [String: Node] = [:]
    private var order: [String] = []
    private let firstLine: Int

    init(mapping: Node.Mapping, firstLine: Int) {
        self.firstLine = firstLine
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            if fields[name] == nil { order.append(name) }
            fields[name] = value
        }
    }

    private func line(_ node: Node) -> Int? { node.mark.map { $0.line + firstLine - 1 } }

    /// A scalar field as text; nil (null or empty) counts as absent.
    mutating func text(_ key: String, _ report: (Problem) -> Void) -> String? {
        guard let node = fields.removeValue(forKey: key) else { return nil }
        guard case .scalar(let scalar) = node else {
            report(Problem(line: line(node), message: "'\(key)' must be a single value"))
            return nil
        }
        if node.tagName == .null { return nil }
        let text = scalar.string.trimmingWhitespace()
        return text.isEmpty ? nil : String(text)
    }

    /// A list of scalars, or one scalar as a list of one.
    mutating func list(_ key: String, _ report: (Problem) -> Void) -> [String] {
        guard let node = fields.removeValue(forKey: key) else { return [] }
        switch node {
        case .scalar(let scalar):
            return node.tagName == .null || scalar.string.isEmpty ? [] : [scalar.string]
        case .sequence(let items):
            var values: [String] = []
            for item in items {
                guard case .scalar(let s) = item else {
                    report(Problem(line: line(item), message: "'\(key)' must be a list of single values"))
                    continue
                }
                values.append(s.string)
            }
            return values
        default:
            report(Problem(line: line(node), message: "'\(key)' must be a list"))
            return []
        }
    }

    /// `images:` as a list of file names or of `{file, caption}`.
    mutating func images(_ report: (Problem) -> Void) -> [Image] {
        guard let node = fields.removeValue(forKey: "images") else { return [] }
        if node.tagName == .null { return [] }
        guard case .sequence(let items) = node else {
            report(Problem(line: line(node), message: "'images' must be a list of file names or of {file, caption}"))
            return []
        }
        var images: [Image] = []
        for item in items {
            switch item {
            case .scalar(let s):
                images.append(Image(image: AtlasImage(file: s.string), line: line(item)))
            case .mapping(let m):
                guard let file = m["file"]?.string, !file.isEmpty else {
                    report(Problem(line: line(item), message: "an image in 'images' has no 'file'"))
                    continue
                }
                let caption = m["caption"].flatMap { $0.tagName == .null ? nil : $0.string }
                images.append(Image(image: AtlasImage(file: file, caption: caption), line: line(item)))
            default:
                report(Problem(line: line(item), message: "each image must be a file name or {file, caption}"))
            }
        }
        return images
    }

    /// The fields nobody read, as canonical JSON text.
    func remaining() -> [String: String] {
        var metadata: [String: String] = [:]
        for key in order {
            if let node = fields[key] { metadata[key] = Self.json(node).canonicalText }
        }
        return metadata
    }

    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tagName {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map(JSONValue.int) ?? .string(scalar.string)
            case .float:
                if let d = node.float, d.isFinite { return .double(d) }
                return .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping where object[key.string ?? ""] == nil {
                object[key.string ?? ""] = json(value)
            }
            return .object(object)
        case .sequence(let items):
            return .array(items.map(json))
        case .alias:
            return .null
        }
    }
}

extension Node {
    /// The resolved YAML tag (`Tag.name` itself is not public in Yams).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.description) }
}
