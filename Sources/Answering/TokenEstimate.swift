/// A conservative count of the tokens a text costs a decoder, without its tokenizer: each CJK character
/// as one token (most tokenizers spend one or more per character), every other three characters as one
/// (English averages about four per token). Overestimating only leaves a prompt shorter than it could be.
public enum TokenEstimate {
    public static func tokens(in text: String) -> Int {
        var cjk = 0
        var other = 0
        for scalar in text.unicodeScalars {
            if scalar.isCJKIdeographLike { cjk += 1 } else { other += 1 }
        }
        return cjk + (other + 2) / 3
    }
}
