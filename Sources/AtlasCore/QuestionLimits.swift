/// Bounds on a question, the same for the CLI and the server.
public enum QuestionLimits {
    /// Longest question accepted. A pathology question is a few sentences; a megabyte of text would only tie up
    /// the encoders and the full-text search for seconds (found by the bad-input tests).
    public static let maxCharacters = 10_000

    /// Why `question` is refused, or nil: "the question is 12000 characters long; the limit is 10000 characters".
    public static func problem(with question: String) -> String? {
        let count = question.count
        guard count > maxCharacters else { return nil }
        return "the question is \(count) characters long; the limit is \(maxCharacters) characters"
    }
}
