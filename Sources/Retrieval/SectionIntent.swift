import Foundation

/// The part of an atlas entry a question asks about: its microscopic features, its differential diagnosis,
/// its pitfalls, its clinical context. Recognised from cue words in the question and matched to passage
/// headings, so that "what should it be told apart from?" is answered from "Differential diagnosis" even
/// though that passage shares no word with the question — and not from whichever passage happens to
/// contain "tell apart".
package enum SectionIntent: CaseIterable, Sendable {
    case features, differential, pitfalls, clinical

    /// Lower-cased substrings of a question that ask for this section (English, then Chinese).
    package var questionCues: [String] {
        switch self {
        case .features:
            ["feature", "look like", "looks like", "appearance", "morpholog", "microscop", "histolog", "finding",
             "镜下", "特点", "特征", "形态", "表现"]
        case .differential:
            // Longer cues first: "differential diagnosis" goes as a whole, not leaving "diagnosis" behind.
            ["differential diagnos", "differential", "distinguish", "differentiat", "tell apart", "told apart",
             "tell it apart", "tell them apart", "tell from", "told from", "versus", " vs ", " vs.", "mimic",
             "confused with", "mistaken for", "rule out", "look-alike", "lookalike", "what else could",
             "鉴别诊断", "鉴别", "区分", "区别", "混淆", "误认", "排除"]
        case .pitfalls:
            // Not "trap": "entrapped glands" is a finding, not a question about pitfalls.
            ["diagnostic pitfall", "pitfall", "mistake", "caveat", "watch out", "careful", "misdiagnos", "overcall",
             "undercall", "诊断陷阱", "陷阱", "误诊", "漏诊", "误区", "注意"]
        case .clinical:
            ["prognos", "treatment", "treated", "therapy", "clinical", "outcome", "survival", "staging", "management",
             "预后", "治疗", "临床", "分期", "生存"]
        }
    }

    /// Lower-cased substrings of a passage heading that name this section.
    package var headingCues: [String] {
        switch self {
        case .features: ["microscop", "feature", "histolog", "morpholog", "镜下", "特点", "形态"]
        case .differential: ["differential", "鉴别"]
        case .pitfalls: ["pitfall", "陷阱", "误区", "注意"]
        case .clinical: ["clinical", "prognos", "临床", "预后"]
        }
    }

    /// The sections a question asks about; empty when it names none ("what is this?").
    package static func intents(of question: String) -> Set<SectionIntent> {
        let text = " " + question.lowercased() + " "
        return Set(allCases.filter { intent in intent.questionCues.contains { text.contains($0) } })
    }

    /// The question without the words that asked for a section ("told apart", "differential", "鉴别"), whole
    /// words removed: once the section is matched by its heading, "apart" must not also pull in whichever
    /// sentence of another entry says "tell apart".
    package static func strippingCues(from question: String) -> String {
        // Padded as in `intents(of:)`, so " vs " matches at either end and nowhere inside a word.
        var text = " " + question.lowercased() + " "
        for cue in allCases.flatMap(\.questionCues) {
            while let range = text.range(of: cue) {
                var lower = range.lowerBound, upper = range.upperBound
                // Widen to the whole English word ("differentiat" → "differentiated"); CJK cues stand alone.
                while lower > text.startIndex, text[text.index(before: lower)].isASCIILetter { lower = text.index(before: lower) }
                while upper < text.endIndex, text[upper].isASCIILetter { upper = text.index(after: upper) }
                text.replaceSubrange(lower..<upper, with: " ")
            }
        }
        return text
    }

    /// Whether the question names a section and nothing else: no tissue, no finding, only words that point
    /// at what is shown ("What are the pitfalls here?", "鉴别诊断有哪些？"). With an image, the image then says
    /// which entry the question is about.
    /// `asking` is `intents(of: question)` when the caller has it already.
    package static func namesOnlyASection(_ question: String, asking: Set<SectionIntent>? = nil) -> Bool {
        guard !(asking ?? intents(of: question)).isEmpty else { return false }
        var rest = String(strippingCues(from: question).map { $0.isLetter || $0.isNumber ? $0 : " " }) + " "
        for word in pointingWords { rest = rest.replacingOccurrences(of: word, with: " ") }
        return QueryTerms(rest).terms.isEmpty
    }

    /// Words that point at the image rather than name anything in it (the search's stop-words cover the rest).
    static let pointingWords = [
        " lesion ", " lesions ", " case ", " tissue ", " diagnosis ", " diagnoses ", " entity ",
        "这里", "此处", "这个", "这种", "该", "病变", "图中", "图像", "图片", "诊断", "需要", "应该", "可能",
    ]

    /// Whether a passage under this heading is the section the intent asks for.
    package func matches(heading: String?) -> Bool {
        guard let heading = heading?.lowercased(), !heading.isEmpty else { return false }
        return headingCues.contains { heading.contains($0) }
    }
}

extension Character {
    fileprivate var isASCIILetter: Bool { isASCII && isLetter }
}
