/// The `##` sections of an entry's Markdown body. Text before the first `##` is a section without a
/// heading; a `# Title` line there is the document's title, not teaching text, and is dropped.
/// `###` and deeper headings stay inside their section's text; `##` inside a fenced code block is text.
struct MarkdownSection: Sendable, Hashable {
    var heading: String?
    var text: String
}

enum MarkdownSections {
    static func parse(_ body: String) -> [MarkdownSection] {
        var sections: [MarkdownSection] = []
        var heading: String?
        var lines: [Substring] = []
        var inFence = false
        var sawHeading = false

        func flush() {
            let text = lines.joined(separator: "\n").trimmingWhitespace()
            if !text.isEmpty { sections.append(MarkdownSection(heading: heading, text: String(text))) }
            lines = []
        }

        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let stripped = line.drop { $0 == " " }
            if stripped.hasPrefix("```") || stripped.hasPrefix("~~~") { inFence.toggle() }
            if !inFence, let title = sectionHeading(line) {
                flush()
                heading = title
                sawHeading = true
                continue
            }
            if !inFence, !sawHeading, isTitleHeading(line) { continue }
            lines.append(line)
        }
        flush()
        return sections
    }

    /// `## Heading` (up to three leading spaces, optional closing `#`s) → "Heading"; an empty heading → "".
    private static func sectionHeading(_ line: Substring) -> String? {
        let indent = line.prefix { $0 == " " }.count
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard rest.hasPrefix("##"), !rest.hasPrefix("###") else { return nil }
        let afterHashes = rest.dropFirst(2)
        guard afterHashes.isEmpty || afterHashes.first!.isWhitespace else { return nil }
        var title = afterHashes.trimmingWhitespace()
        if let closing = title.lastIndex(where: { $0 != "#" }) {
            let tail = title[title.index(after: closing)...]
            if !tail.isEmpty, title[closing].isWhitespace { title = title[...closing].trimmingWhitespace() }
        } else {
            title = title[title.endIndex...]
        }
        return String(title)
    }

    private static func isTitleHeading(_ line: Substring) -> Bool {
        let rest = line.drop { $0 == " " }
        return rest.hasPrefix("# ") || rest == "#"
    }
}
