public import AtlasCore
import Foundation
import Retrieval

/// Picks the sentences of the retrieved passages that best answer a question.
///
/// A sentence scores its coverage of the question's content terms (its entry title's, its passage heading's
/// and its passage's opening sentence's terms count as its own), each term weighted by its rarity among the candidate sentences (idf); plus a prior from
/// retrieval (half its passage's fused score, half its entry's best), so that with a vague question
/// ("what is this?") the best-retrieved entries still speak first. The words that ask for a section
/// (`SectionIntent`: "what should it be told apart from?" → "Differential diagnosis") count for the sentences
/// of that section and of the top entry only.
///
/// Language: an entry that has a passage in the question's language among the references speaks only in
/// that language; an entry that has none falls back to its other-language sentences, at a small penalty.
public struct SentenceSelector: Sendable {
    /// One chosen sentence and the number of the reference it comes from.
    public struct Pick: Sendable, Hashable {
        public var n: Int
        public var sentence: String
        public var score: Double
    }

    public var maximumSentences = 5
    public var minimumSentences = 3
    /// How much retrieval's ranking counts against the sentence's own match (coverage is 0…1).
    public var rankWeight = 0.35
    /// Subtracted from a sentence not in the question's language (used only when its entry has no other).
    public var otherLanguagePenalty = 0.1
    /// Below this fraction of the best score a sentence is left out, once `minimumSentences` are chosen.
    public var relativeCutoff = 0.45
    public var maximumPerReference = 3
    /// Two sentences sharing more than this fraction of their terms say the same thing.
    public var redundancy = 0.6
    /// A sentence from any entry but the best-ranked one must cover at least this share of the question:
    /// a second-best entry's sentence that merely shares one incidental word ("image") is not an answer.
    public var minimumCoverageElsewhere = 0.2

    public init() {}

    struct Candidate {
        var n: Int
        var entry: String
        var sentence: String
        var position: Int
        var language: Language
        var terms: Set<String>
        /// Terms of the entry's title, the passage's heading ("Pitfalls", "鉴别诊断") and its opening sentence that the
        /// sentence itself lacks.
        var headingTerms: Set<String>
        var score = 0.0
        /// Weighted share of the question's terms the sentence (or its heading) covers.
        var coverage = 0.0
        /// Whether the sentence's entry is the best-ranked one among the references.
        var fromTopEntry = false
        /// The section the question asks for that its passage is (its heading matches the question's cue words).
        var section: SectionIntent?
    }

    public func select(question: String, language: Language, references: [Reference]) -> [Pick] {
        let asked = SectionIntent.intents(of: question)
        var candidates = preferringLanguage(language, self.candidates(from: references, intents: asked))
        guard !candidates.isEmpty else { return [] }
        score(&candidates, question: question, language: language, references: references)
        return choose(from: candidates, asked: asked).map { Pick(n: $0.n, sentence: $0.sentence, score: $0.score) }
    }

    func candidates(from references: [Reference], intents: Set<SectionIntent> = []) -> [Candidate] {
        var result: [Candidate] = []
        for (index, reference) in references.enumerated() {
            let language = Language.detect(reference.text)
            // The entry's title and the passage's heading speak for every sentence under them: a sentence of the
            // sessile serrated lesion's features need not repeat "sessile serrated lesion" to be about it. So does
            // the passage's opening sentence, which names its topic ("纤维腺瘤为…") where the title is in English.
            let heading = ContentTerms.terms(of: reference.title + " " + (reference.heading ?? ""))
            let section = SectionIntent.allCases.first { intents.contains($0) && $0.matches(heading: reference.heading) }
            let sentences = SentenceSplitter.sentences(in: reference.text)
            let topic = heading.union(sentences.first.map(ContentTerms.terms(of:)) ?? [])
            for (position, sentence) in sentences.enumerated() where Self.isSubstantial(sentence) {
                let terms = ContentTerms.terms(of: sentence)
                result.append(
                    Candidate(
                        n: index + 1, entry: reference.entry, sentence: sentence, position: position,
                        language: language, terms: terms, headingTerms: topic.subtracting(terms), section: section))
            }
        }
        return result
    }

    /// Drops an entry's other-language sentences when it has some in the question's language.
    func preferringLanguage(_ language: Language, _ candidates: [Candidate]) -> [Candidate] {
        let speaking = Set(candidates.filter { $0.language == language }.map(\.entry))
        return candidates.filter { $0.language == language || !speaking.contains($0.entry) }
    }

    /// Too short to stand alone as an answer: fragments, headings, "See above."
    static func isSubstantial(_ sentence: String) -> Bool {
        let cjk = sentence.unicodeScalars.filter(\.isCJKIdeograph).count
        if cjk >= 6 { return true }
        let words = sentence.split(whereSeparator: { $0.isWhitespace }).filter { $0.contains(where: \.isLetter) }
        return words.count >= 4
    }

    func score(_ candidates: inout [Candidate], question: String, language: Language, references: [Reference]) {
        // Fused scores when retrieval gave them, else the reference's place in the list.
        let fused = references.map { Double(max($0.scores.fused, 0)) }
        let bestFused = fused.max() ?? 0
        let passagePrior = references.indices.map { bestFused > 0 ? fused[$0] / bestFused : 1 / Double($0 + 1) }
        var entryPrior: [String: Double] = [:]
        for (i, reference) in references.enumerated() {
            entryPrior[reference.entry] = max(entryPrior[reference.entry] ?? 0, passagePrior[i])
        }
        // With a query image, the entry the image resembles counts as much as the fused ranking: "what are the
        // pitfalls here?" asks about what the image shows, not about whichever entry's pitfalls the words
        // matched best. An entry's image prior is 1 / its rank by image score.
        let imageRanked = ImageResemblance.ranked(references).map(\.entry)
        if !imageRanked.isEmpty {
            for entry in entryPrior.keys {
                let rank = imageRanked.firstIndex(of: entry).map { $0 + 1 } ?? references.count
                entryPrior[entry] = 0.5 * entryPrior[entry]! + 0.5 / Double(rank)
            }
        }
        let topEntryPrior = entryPrior.values.max() ?? 0
        for i in candidates.indices { candidates[i].fromTopEntry = (entryPrior[candidates[i].entry] ?? 0) >= topEntryPrior }

        // The words that asked for a section ("told apart", "鉴别") count for that section's sentences and for the
        // top entry's own, not for any other entry's: "apart" must not pull in another entry's "tell apart".
        let questionTerms = ContentTerms.terms(of: question)
        let contentTerms = ContentTerms.terms(of: SectionIntent.strippingCues(from: question))
        let cueTerms = questionTerms.subtracting(contentTerms)
        // The heading speaks for every sentence under it: "what are the pitfalls?" leans to "Pitfalls".
        func matched(_ c: Candidate) -> Set<String> {
            let own = c.terms.union(c.headingTerms)
            if c.section != nil { return own.intersection(contentTerms).union(cueTerms) }
            return own.intersection(c.fromTopEntry ? questionTerms : contentTerms)
        }
        let matches = candidates.map(matched)
        var documentFrequency: [String: Int] = [:]
        for terms in matches {
            for term in terms { documentFrequency[term, default: 0] += 1 }
        }
        let count = Double(candidates.count)
        let weight = documentFrequency.mapValues { log(1 + count / Double($0)) }
        let attainable = weight.values.reduce(0, +)

        for i in candidates.indices {
            let c = candidates[i]
            let coverage = attainable > 0 ? matches[i].reduce(0.0) { $0 + (weight[$1] ?? 0) } / attainable : 0
            let prior = 0.5 * passagePrior[c.n - 1] + 0.5 * (entryPrior[c.entry] ?? 0)
            // The opening sentence of a passage usually states its topic: a small nudge, a tie-breaker.
            let opening = c.position == 0 ? 0.02 : 0
            let penalty = c.language == language ? 0 : otherLanguagePenalty
            candidates[i].score = coverage + rankWeight * prior + opening - penalty
            candidates[i].coverage = coverage
        }
    }

    /// Best first, above the cutoff, at most `maximumPerReference` from one passage, no near-repeats.
    func choose(from pool: [Candidate], asked: Set<SectionIntent> = []) -> [Candidate] {
        let ranked = pool.sorted {
            $0.score != $1.score ? $0.score > $1.score : ($0.n, $0.position) < ($1.n, $1.position)
        }
        guard let best = ranked.first?.score else { return [] }
        var chosen: [Candidate] = []
        for c in ranked {
            guard chosen.count < maximumSentences else { break }
            if c.score < best * relativeCutoff, chosen.count >= minimumSentences { break }
            if !c.fromTopEntry && c.coverage < minimumCoverageElsewhere { continue }
            if chosen.filter({ $0.n == c.n }).count >= maximumPerReference { continue }
            if chosen.contains(where: { repeats(c, $0) }) { continue }
            chosen.append(c)
        }
        // Every section the question asks for ("its features, and what to tell it apart from") speaks at least
        // once, from the top entry, in place of the weakest sentence that no other asked section needs.
        for intent in SectionIntent.allCases where asked.contains(intent) && !chosen.contains(where: { $0.section == intent && $0.fromTopEntry }) {
            guard let c = ranked.first(where: { c in c.section == intent && c.fromTopEntry && !chosen.contains { repeats(c, $0) } })
            else { continue }
            if chosen.count >= maximumSentences {
                let spare = chosen.indices.last { i in
                    chosen[i].section.map { s in chosen.filter { $0.section == s }.count > 1 } ?? true
                }
                guard let spare else { continue }
                chosen.remove(at: spare)
            }
            chosen.append(c)
        }
        return chosen.sorted { $0.score > $1.score }
    }

    func repeats(_ a: Candidate, _ b: Candidate) -> Bool {
        if a.sentence == b.sentence { return true }
        let union = a.terms.union(b.terms).count
        guard union > 0 else { return false }
        return Double(a.terms.intersection(b.terms).count) / Double(union) > redundancy
    }
}
