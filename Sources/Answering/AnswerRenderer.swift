public import AtlasCore

/// The readable form of an answer (`atlasqa ask` without `--json`): the answer, then each cited passage
/// with its entry id and source, and a note when the configured decoder failed and the extractive one answered.
public enum AnswerRenderer {
    public static func text(of answer: Answer) -> String {
        var lines = [answer.answer]
        if !answer.citations.isEmpty {
            lines.append("")
            lines.append(answer.language == .zh ? "引用的图谱段落：" : "Cited atlas passages:")
            for citation in answer.citations {
                let heading = answer.references.indices.contains(citation.n - 1)
                    ? answer.references[citation.n - 1].heading.map { " — \($0)" } ?? "" : ""
                lines.append("[\(citation.n)] \(citation.title)\(heading) (\(citation.passage))")
                lines.append("    \(answer.language == .zh ? "来源" : "Source"): \(citation.source)")
            }
        }
        if let note = fallbackNote(of: answer) {
            lines.append("")
            lines.append(note)
        }
        return lines.joined(separator: "\n")
    }

    /// The line that tells readers the configured decoder failed and why; nil when it did not.
    public static func fallbackNote(of answer: Answer) -> String? {
        guard answer.decoder.fallback else { return nil }
        let reason = answer.decoder.error ?? "unknown error"
        return answer.language == .zh
            ? "（解码器不可用，已改用摘录式回答：\(reason)）"
            : "(The decoder failed, so this answer was composed extractively: \(reason))"
    }
}
