/// A conservative token count for budgeting a prompt without the model's tokenizer: a CJK character is
/// about one token (often less), other text about 3.5 characters per token (English averages nearer 4).
/// Over-estimating only leaves context unused; under-estimating overflows the server's context window.
public struct PromptTokenEstimator: Sendable {
    public var charactersPerToken: Double
    /// Role markers and separators every chat message costs on top of its text.
    public var tokensPerMessage: Int

    public init(charactersPerToken: Double = 3.5, tokensPerMessage: Int = 4) {
        self.charactersPerToken = charactersPerToken
        self.tokensPerMessage = tokensPerMessage
    }

    public func tokens(_ text: String) -> Int {
        var cjk = 0
        var other = 0
        for scalar in text.unicodeScalars {
            if scalar.isCJKIdeographLike || scalar.isHangulOrKana { cjk += 1 } else { other += 1 }
        }
        return cjk + Int((Double(other) / charactersPerToken).rounded(.up))
    }

    /// The longest prefix of `text` whose estimate fits `budget`, cut at a word boundary where there is one.
    public func prefix(of text: String, fitting budget: Int) -> String {
        guard budget > 0 else { return "" }
        var cost = 0.0
        var end = text.startIndex
        for index in text.unicodeScalars.indices {
            let scalar = text.unicodeScalars[index]
            let next = cost + (scalar.isCJKIdeographLike || scalar.isHangulOrKana ? 1 : 1 / charactersPerToken)
            if next.rounded(.up) > Double(budget) { break }
            cost = next
            end = text.unicodeScalars.index(after: index)
        }
        var cut = text[..<end]
        if end < text.endIndex, let space = cut.lastIndex(where: \.isWhitespace), cut.distance(from: space, to: cut.endIndex) < 40 {
            cut = cut[..<space]
        }
        return String(cut)
    }
}

extension Unicode.Scalar {
    var isHangulOrKana: Bool {
        switch value {
        case 0x3040...0x30FF, 0xAC00...0xD7AF, 0x1100...0x11FF: true
        default: false
        }
    }
}
