import AtlasCore
import Foundation

/// Human-readable renderings of results (the `--json` forms are the contract; these are for people).
enum TextReport {
    static func references(_ references: [Reference]) -> String {
        guard !references.isEmpty else { return "No references found." }
        return references.map(reference).joined(separator: "\n")
    }

    static func reference(_ r: Reference) -> String {
        var scores = ["fused \(format(r.scores.fused, 4))"]
        if let s = r.scores.image { scores.append("image \(format(s, 3))") }
        if let s = r.scores.text { scores.append("text \(format(s, 3))") }
        if let s = r.scores.lexical { scores.append("lexical \(format(s, 2))") }
        var lines = ["[\(r.rank)] \(r.title) — \(r.heading ?? "(untitled)")  (\(r.passage))", "    " + scores.joined(separator: "  ")]
        if let image = r.image {
            let tile = image.tile.map { " tile [\($0.x), \($0.y), \($0.width), \($0.height)]" } ?? ""
            lines.append("    image: \(image.file)\(tile)")
        }
        lines.append("    \(excerpt(r.text, 200))")
        lines.append("    source: \(r.source)")
        return lines.joined(separator: "\n")
    }

    static func excerpt(_ text: String, _ limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit)) + "…"
    }

    static func format(_ value: Float, _ digits: Int) -> String { String(format: "%.\(digits)f", Double(value)) }
}
