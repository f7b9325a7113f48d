/// An entry.md split into its YAML front matter and its Markdown body, with where the YAML starts.
struct FrontMatter: Sendable {
    var yaml: String
    /// File line of the YAML's first line (YAML line n is file line `yamlFirstLine + n - 1`).
    var yamlFirstLine: Int
    var body: String

    enum Failure: Error {
        case missing
        case unclosed
    }

    /// Front matter is a `---` line first, then YAML, then a `---` (or `...`) line.
    static func split(_ text: String) -> Result<FrontMatter, Failure> {
        var text = text.replacingCRLF()
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.trimmingWhitespace() == "---" else { return .failure(.missing) }
        guard let close = lines.indices.dropFirst().first(where: {
            let l = lines[$0].trimmingWhitespace()
            return l == "---" || l == "..."
        }) else { return .failure(.unclosed) }
        return .success(FrontMatter(
            yaml: lines[1..<close].joined(separator: "\n"),
            yamlFirstLine: 2,
            body: lines[(close + 1)...].joined(separator: "\n")
        ))
    }
}

extension String {
    func replacingCRLF() -> String {
        guard contains("\r") else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.lazy.filter { $0 != "\r" }))
    }
}
