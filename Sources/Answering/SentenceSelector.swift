public import AtlasCore
import Foundation

/// Picks the sentences of the retrieved passages that best answer a question.
///
/// A sentence scores its coverage of the question's content terms, each term weighted by its rarity
/// among the candidate sentences (idf), plus a prior from its passage's fused retrieval score, so that
/// with a vague question ("what is this?") the best-retrieved passages still speak first. Sentences in the
/// question's language are preferred; the other language only fills in when too few are found.
public struct SentenceSelector: Sendable {
    /// One chosen sentence and the number of the reference it comes from.
    public struct Pick: Sendable, Hashable {
        public var n: Int
        public var sentence: String
        public var score: Double
    }

    public var maximumSentences = 5
    public var minimumSentences = 3
    /// With fewer sentences than this in the question's language, the other language fills in.
    public var minimumInLanguage = 2
    /// How much the passage's retrieval rank counts against the sentence's own match (0…1 scale).
    public var rankWeight = 0.35
    /// A sentence is kept when it scores at least this fraction of the best one.
    public var relativeCutoff = 0.45
    public var maximumPerReference = 3
    /// Two sentences sharing more than this fraction of their terms say the same thing.
    public var redundancy = 0.6

    public init() {}

    struct Candidate {
        var n: Int
        var sentence: String
        var position: Int
        var language: Language
        var terms: Set<String>
        var score = 0.0
    }

    public func select(question: String, language: Language, references: [Reference]) -> [Pick] {
        var candidates = self.candidates(from: references)
        guard !candidates.isEmpty else { return [] }
        score(&candidates, question: question, references: references)

        let preferred = choose(from: candidates.filter { $0.language == language }, limit: maximumSentences)
        guard preferred.count < minimumInLanguage else { return preferred.map(pick) }
        let others = choose(
            from: candidates.filter { $0.language != language }, limit: max(minimumSentences - preferred.count, 1),
            alreadyChosen: preferred)
        return (preferred + others).map(pick)
    }

    func pick(_ c: Candidate) -> Pick { Pick(n: c.n, sentence: c.sentence, score: c.score) }

    func candidates(from references: [Reference]) -> [Candidate] {
        var result: [Candidate] = []
        for (index, reference) in references.enumerated() {
            for (position, sentence) in SentenceSplitter.sentences(in: reference.text).enumerated()
            where Self.isSubstantial(sentence) {
                let language = Language.detect(sentence)
                result.append(
                    Candidate(n: index + 1, sentence: sentence, position: position, language: language,
                              terms: ContentTerms.terms(of: sentence)))
            }
        }
        return result
    }

    /// Too short to stand alone as an answer: fragments, headings, "See above."
    static func isSubstantial(_ sentence: String) -> Bool {
        let cjk = sentence.unicodeScalars.filter(\.isCJKIdeograph).count
        if cjk >= 6 { return true }
        let words = sentence.split(whereSeparator: { $0.isWhitespace }).filter { $0.contains(where: \.isLetter) }
        return words.count >= 4
    }

    func score(_ candidates: inout [Candidate], question: String, references: [Reference]) {
        let questionTerms = ContentTerms.terms(of: question)
        var documentFrequency: [String: Int] = [:]
        for c in candidates {
            for term in c.terms.intersection(questionTerms) { documentFrequency[term, default: 0] += 1 }
        }
        let count = Double(candidates.count)
        let weight = documentFrequency.mapValues { log(1 + count / Double($0)) }
        let attainable = weight.values.reduce(0, +)

        let fused = references.map { Double(max($0.scores.fused, 0)) }
        let bestFused = fused.max() ?? 0
        for i in candidates.indices {
            let c = candidates[i]
            let matched = c.terms.intersection(questionTerms).reduce(0.0) { $0 + (weight[$1] ?? 0) }
            let coverage = attainable > 0 ? matched / attainable : 0
            // Fused scores when retrieval gave them, else the reference's place in the list.
            let rankPrior = bestFused > 0 ? fused[c.n - 1] / bestFused : 1 / Double(c.n)
            // The opening sentence of a passage usually states its topic: a small nudge, a tie-breaker.
            let opening = c.position == 0 ? 0.02 : 0
            candidates[i].score = coverage + rankWeight * rankPrior + opening
        }
    }

    /// Best first, above the cutoff, at most `maximumPerReference` from one passage, no near-repeats.
    func choose(from pool: [Candidate], limit: Int, alreadyChosen: [Candidate] = []) -> [Candidate] {
        guard limit > 0 else { return [] }
        let ranked = pool.sorted { $0.score != $1.score ? $0.score > $1.score : ($0.n, $0.position) < ($1.n, $1.position) }
        guard let best = ranked.first?.score else { return [] }
        var chosen: [Candidate] = []
        for c in ranked {
            guard chosen.count < limit else { break }
            if c.score < best * relativeCutoff, chosen.count >= min(minimumSentences, limit) { break }
            let all = alreadyChosen + chosen
            if all.filter({ $0.n == c.n }).count >= maximumPerReference { continue }
            if all.contains(where: { repeats(c, $0) }) { continue }
            chosen.append(c)
        }
        return chosen
    }

    func repeats(_ a: Candidate, _ b: Candidate) -> Bool {
        if a.sentence == b.sentence { return true }
        let union = a.terms.union(b.terms).count
        guard union > 0 else { return false }
        return Double(a.terms.intersection(b.terms).count) / Double(union) > redundancy
    }
}
