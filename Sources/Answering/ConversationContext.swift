extension AskRequest {
    /// What a follow-up is retrieved with besides its own words (`RetrievalQuery.context`): the latest
    /// earlier questions, so "do these cells invade the basement membrane?" stays on the lesion the
    /// thread is about. Answers are left out: they repeat reference text and would pull retrieval
    /// towards what was already found. Nil for a first question.
    public func retrievalContext(turns: Int = 2) -> String? {
        let questions = history.suffix(turns).map(\.question).filter { !$0.trimmingWhitespace.isEmpty }
        return questions.isEmpty ? nil : questions.joined(separator: "\n")
    }
}
