import Foundation

/// Takes out of a model's answer what it wrote for itself: `<think>…</think>` reasoning and GLM's
/// `<|begin_of_box|>`/`<|end_of_box|>` markers. Works on streamed pieces, holding back a tail that
/// may be the start of a tag split across two deltas. (`reasoning_content` never reaches it: the
/// client reads only `content`.)
struct OpenAIVisibleText: Sendable {
    static let thinkOpen = "<think>"
    static let thinkClose = "</think>"
    static let boxTokens = ["<|begin_of_box|>", "<|end_of_box|>"]
    static let tags = [thinkOpen, thinkClose] + boxTokens

    private var pending = ""
    private var inThink = false

    init() {}

    /// The visible part of what these pieces complete.
    mutating func feed(_ piece: String) -> String {
        pending += piece
        var visible = ""
        while !pending.isEmpty {
            if inThink {
                if let close = pending.range(of: Self.thinkClose) {
                    pending = String(pending[close.upperBound...])
                    inThink = false
                    continue
                }
                pending = String(pending.suffix(Self.heldBack(pending, tags: [Self.thinkClose])))
                break
            }
            if let (range, tag) = Self.firstTag(in: pending) {
                visible += pending[..<range.lowerBound]
                if tag == Self.thinkOpen { inThink = true }
                pending = String(pending[range.upperBound...])
                continue
            }
            let hold = Self.heldBack(pending, tags: Self.tags)
            visible += pending.dropLast(hold)
            pending = String(pending.suffix(hold))
            break
        }
        return visible
    }

    /// What is left at the end; unclosed reasoning is dropped.
    mutating func finish() -> String {
        defer { pending = "" }
        return inThink ? "" : pending
    }

    /// The whole answer as users see it. A `</think>` with no `<think>` before it means the chat template
    /// opened the reasoning itself, so everything up to it was reasoning.
    static func clean(_ text: String) -> String {
        var body = Substring(text)
        if let close = body.range(of: thinkClose) {
            let open = body.range(of: thinkOpen)
            if open == nil || open!.lowerBound > close.lowerBound { body = body[close.upperBound...] }
        }
        var filter = OpenAIVisibleText()
        let visible = filter.feed(String(body)) + filter.finish()
        return visible.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func firstTag(in text: String) -> (Range<String.Index>, String)? {
        var best: (Range<String.Index>, String)?
        for tag in tags {
            if let r = text.range(of: tag), best == nil || r.lowerBound < best!.0.lowerBound { best = (r, tag) }
        }
        return best
    }

    /// How many trailing characters could be the beginning of one of `tags`.
    static func heldBack(_ text: String, tags: [String]) -> Int {
        let longest = tags.map(\.count).max() ?? 0
        for length in stride(from: min(longest - 1, text.count), through: 1, by: -1) {
            let tail = text.suffix(length)
            if tags.contains(where: { $0.hasPrefix(tail) }) { return length }
        }
        return 0
    }
}
