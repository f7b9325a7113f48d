/// One thing wrong with an atlas, where it is, and which entry it cost: "dcis/entry.md:12: image 'x.png' not found".
public struct AtlasProblem: Sendable, Codable, Hashable, CustomStringConvertible {
    /// Path of the file at fault (the entry.md, the .jsonl, the image).
    public var file: String
    /// 1-based line in `file`, when the fault has one.
    public var line: Int?
    /// The entry that was skipped because of it, when known.
    public var entry: String?
    public var message: String

    public init(file: String, line: Int? = nil, entry: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.entry = entry
        self.message = message
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        let who = entry.map { " (entry '\($0)' skipped)" } ?? ""
        return "\(place): \(message)\(who)"
    }

    // Always write every key so the --json shape is fixed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(line, forKey: .line)
        try c.encode(entry, forKey: .entry)
        try c.encode(message, forKey: .message)
    }
}
