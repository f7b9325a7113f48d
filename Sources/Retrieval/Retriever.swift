public import AtlasCore
public import Foundation

/// What a user asks retrieval for: words, an image, or both.
public struct RetrievalQuery: Sendable {
    public var text: String?
    /// The image file's bytes (PNG or JPEG) and its name for error messages.
    public var imageData: Data?
    public var imageName: String
    /// How many references to return.
    public var k: Int
    /// Earlier turns of a conversation, searched with the question so a follow-up keeps its topic.
    public var context: String?

    public init(text: String? = nil, imageData: Data? = nil, imageName: String = "image", k: Int = 8, context: String? = nil) {
        self.text = text
        self.imageData = imageData
        self.imageName = imageName
        self.k = k
        self.context = context
    }
}

/// The references a query gets, graded, with what each stage cost.
public struct RetrievalResult: Sendable {
    public var references: [Reference]
    public var support: Support
    public var evidence: SupportEvidence
    public var language: Language
    /// Milliseconds: `image` and `text` (encoding, side by side), `search` (the channels), `fuse` (reading
    /// candidates, fusion, grading), `retrieve` (search + fuse).
    public var timings: Timings

    public init(references: [Reference], support: Support, evidence: SupportEvidence, language: Language, timings: Timings) {
        self.references = references
        self.support = support
        self.evidence = evidence
        self.language = language
        self.timings = timings
    }
}

/// Finds the atlas passages that match an image and a question: image, dense-text and lexical channels,
/// each ranked on its own, fused by weighted reciprocal rank, then thinned so no entry crowds the list.
public struct Retriever: Sendable {
    public var reader: any AtlasReader
    public var imageEncoder: (any ImageEncoder)?
    public var textEncoder: (any TextEncoder)?
    public var weights: FusionWeights
    /// How deep each channel looks before fusion.
    public var channelDepth: Int
    /// At most this many passages of one entry among the references (the best ones).
    public var maxPassagesPerEntry: Int
    /// Whether questions are searched with the technical terms they imply (PathologyThesaurus); on unless
    /// `ATLASQA_QUERY_EXPANSION=off` (for measuring what the expansion adds).
    public var expandsQueries: Bool

    public init(
        reader: any AtlasReader, imageEncoder: (any ImageEncoder)?, textEncoder: (any TextEncoder)?,
        weights: FusionWeights = FusionWeights(), channelDepth: Int = 50, maxPassagesPerEntry: Int = 3
    ) {
        self.reader = reader
        self.imageEncoder = imageEncoder
        self.textEncoder = textEncoder
        self.weights = weights
        self.channelDepth = channelDepth
        self.maxPassagesPerEntry = maxPassagesPerEntry
        self.expandsQueries = ProcessInfo.processInfo.environment["ATLASQA_QUERY_EXPANSION"] != "off"
    }

    /// Loads what the first question would otherwise wait for: the tissue-concept phrasing vectors (read
    /// from their cache file, or embedded — seconds — when there is none). The server calls it while it
    /// starts, before it says it is ready.
    public func prepare() throws {
        guard expandsQueries, let encoder = textEncoder, TissueConcepts.floor(encoder: encoder.id, .en) != nil else { return }
        _ = try TissueConcepts.shared(for: encoder)
    }

    public func retrieve(_ query: RetrievalQuery) throws -> RetrievalResult {
        let question = query.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !question.isEmpty || query.imageData != nil else {
            throw AtlasError(.badInput, "retrieve: give a question (--text) or an image (--image), or both")
        }
        guard query.k > 0 else { throw AtlasError(.badInput, "retrieve: k must be at least 1 (got \(query.k))") }
        let language = question.isEmpty ? Language.en : Language.detect(question)
        var timings: Timings = [:]
        var rankings: [ChannelRanking<String>] = []
        var evidence = SupportEvidence()

        // The question carries the technical terms it implies (PathologyThesaurus) into both text searches.
        let asked = expandsQueries ? PathologyThesaurus.expanded(question) : question
        let searchText = [query.context, asked].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")
        var imageJob: (data: Data, name: String, encoder: any ImageEncoder)?
        if let data = query.imageData {
            guard let encoder = imageEncoder else {
                throw AtlasError(.badInput, "retrieve: an image was given but no image encoder is configured")
            }
            imageJob = (data, query.imageName, encoder)
        }
        // With conversation context the searched vector mixes in earlier turns; support is judged on the
        // question (with the terms it implies) alone, so embed it separately too.
        var texts = question.isEmpty ? [] : searchText == asked ? [asked] : [searchText, asked]
        // The tissue a question is about is recognised from the bare question (TissueConcepts), encoded in the
        // same batch when the thesaurus changed it. Not with an image: then the image shows the tissue, and the
        // question mostly points at it ("Describe this field" reads like the empty-slide phrasings). Not when
        // the question names another organ than the bowel: the concepts are colorectal, and "How is invasive
        // breast carcinoma graded?" is nearest to their tumour phrasings.
        let organs = OrganNames.otherOrgans(in: question)
        let recognisesConcepts = expandsQueries && !question.isEmpty && query.imageData == nil && organs.isEmpty
            && textEncoder.map { TissueConcepts.floor(encoder: $0.id, language) != nil } == true
        if recognisesConcepts, asked != question { texts.append(question) }
        let encoded = try QueryEncoding.encode(image: imageJob, texts: texts, textEncoder: textEncoder)
        timings.merge(encoded.timings) { a, _ in a }
        let askedVector = encoded.texts.count > 1 && searchText != asked ? encoded.texts[1] : encoded.texts.first
        var concept: TissueConcepts.Match?
        var searchVector = encoded.texts.first
        // Concepts only sharpen the search: if their vectors cannot be built, the question goes on without.
        if recognisesConcepts, let encoder = textEncoder, let bare = encoded.texts.last, let vector = searchVector,
           let concepts = try? TissueConcepts.shared(for: encoder) {
            let started = DispatchTime.now()
            concept = concepts.match(bare, language: language)
            if let concept { searchVector = concepts.lean(vector, towards: concept) }
            timings["concepts"] = milliseconds(since: started)
        }

        let searchStarted = DispatchTime.now()
        // Image channel: atlas images ranked by tile-level matching (ARCHITECTURE.md); every passage of an
        // entry takes the rank of the entry's best image.
        var imageMatches: [String: (match: Reference.ImageMatch, score: Float)] = [:]
        var imageRankedEntries: [String] = []
        if let embedding = encoded.image, let encoder = imageEncoder {
            let hits = try reader.nearestImages(to: embedding, encoder: encoder.id, k: channelDepth)
            for hit in hits where imageMatches[hit.entryID] == nil {
                imageMatches[hit.entryID] = (Reference.ImageMatch(file: hit.file, tile: hit.bestTile, queryTile: hit.queryTile), hit.score)
                imageRankedEntries.append(hit.entryID)
            }
            if let best = hits.first { evidence.image = (encoder.id, best.score) }
        }

        var textHits: [PassageHit] = []
        if let encoder = textEncoder, let searchVector, let askedVector {
            textHits = try reader.nearestPassages(to: searchVector, encoder: encoder.id, k: channelDepth)
            // Support is graded on the question with its thesaurus terms, not on the context or the concept lean.
            let questionBest = searchVector != askedVector
                ? try reader.nearestPassages(to: askedVector, encoder: encoder.id, k: 1).first?.score
                : textHits.first?.score
            if let best = questionBest { evidence.text = (encoder.id, best) }
        }

        let terms = QueryTerms(question)
        // Every candidate passage is read once: the image channel's by entry, the others' by id.
        var candidates: [String: Passage] = [:]
        var lexicalLevel = Support.none
        if !imageRankedEntries.isEmpty {
            let passages = try reader.passages(ofEntries: imageRankedEntries)
            let entryRank = Dictionary(uniqueKeysWithValues: imageRankedEntries.enumerated().map { ($1, $0 + 1) })
            var ranks: [String: (rank: Int, score: Float)] = [:]
            for p in passages {
                candidates[p.id] = p
                if let rank = entryRank[p.entryID], let score = imageMatches[p.entryID]?.score {
                    ranks[p.id] = (rank, score)
                }
            }
            rankings.append(ChannelRanking(channel: .image, ranks: ranks))
        }
        if !textHits.isEmpty {
            rankings.append(ChannelRanking(channel: .text, bestFirst: textHits.map { ($0.passageID, $0.score) }))
        }
        var lexicalHits: [PassageHit] = []
        if !question.isEmpty {
            lexicalHits = try reader.lexicalSearch(concept.map { searchText + "\n" + $0.terms } ?? searchText, k: channelDepth)
            if !lexicalHits.isEmpty {
                rankings.append(ChannelRanking(channel: .lexical, bestFirst: lexicalHits.map { ($0.passageID, $0.score) }))
            }
        }
        timings["search"] = milliseconds(since: searchStarted)
        let fuseStarted = DispatchTime.now()
        let unread = Set((textHits + lexicalHits).map(\.passageID)).subtracting(candidates.keys)
        for p in try reader.passages(ids: Array(unread)) { candidates[p.id] = p }
        if let top = textHits.first, let passage = candidates[top.passageID] {
            evidence.textCrossLingual = passage.language != language
        }
        if !lexicalHits.isEmpty {
            let topTexts = lexicalHits.prefix(3).compactMap { candidates[$0.passageID] }.map { "\($0.heading ?? "") \($0.text)" }
            lexicalLevel = SupportThresholds.lexicalCoverage.level(terms.coverage(in: topTexts.joined(separator: " ")))
        }

        var fusionWeights = adaptiveWeights(evidence: evidence, lexical: lexicalLevel)
        // A question about an image that names only a section ("what are the pitfalls here?", "what is the
        // differential?"): the image says which entry, the words only which section. Both text channels match
        // every entry's section alike, so their order among entries is noise and would put other entries'
        // sections ahead of the one the image resembles. They are left out of the fusion (their scores are
        // still reported), and the asked section of each entry goes first, entries in the image's order.
        let sections = SectionIntent.intents(of: question)
        let sectionOnly = !imageRankedEntries.isEmpty && SectionIntent.namesOnlyASection(question, asking: sections)
        if sectionOnly {
            fusionWeights.text = 0
            fusionWeights.lexical = 0
        }
        var fused = ReciprocalRankFusion.fuse(rankings, weights: fusionWeights)
        if sectionOnly {
            Self.lift(sections, of: candidates, in: &fused, language: language, weights: fusionWeights)
        }
        let passages = fused.keys.compactMap { candidates[$0] }
        let summaries = try reader.entrySummaries(ids: Array(Set(passages.map(\.entryID))))
        let ordered = passages.sorted { a, b in
            let fa = fused[a.id] ?? 0
            let fb = fused[b.id] ?? 0
            if fa != fb { return fa > fb }
            // Ties (an image-only query ranks all of an entry's passages alike): the question's language first.
            if (a.language == language) != (b.language == language) { return a.language == language }
            if a.entryID != b.entryID { return a.entryID < b.entryID }
            return a.ordinal < b.ordinal
        }
        var perEntry: [String: Int] = [:]
        var references: [Reference] = []
        for p in ordered where references.count < query.k {
            guard perEntry[p.entryID, default: 0] < maxPassagesPerEntry, let summary = summaries[p.entryID] else { continue }
            perEntry[p.entryID, default: 0] += 1
            let channelScore = { (c: Channel) in rankings.first { $0.channel == c }?.ranks[p.id]?.score }
            references.append(
                Reference(
                    rank: references.count + 1, entry: p.entryID, passage: p.id, title: summary.title, heading: p.heading,
                    text: p.text, source: summary.source, image: imageMatches[p.entryID]?.match,
                    scores: Reference.Scores(
                        image: channelScore(.image), text: channelScore(.text), lexical: channelScore(.lexical),
                        fused: fused[p.id] ?? 0
                    )
                )
            )
        }
        // A question that names an organ the atlas never mentions ("glomerulus" in a colon and breast atlas) is
        // outside the atlas, however near E5 finds its wording to some passage.
        if !organs.isEmpty, try organs.allSatisfy({ try !reader.mentions($0) }) {
            evidence.questionOutsideAtlas = true
        }
        if !question.isEmpty {
            let top = references.prefix(3).map { "\($0.title) \($0.heading ?? "") \($0.text)" }.joined(separator: " ")
            evidence.lexicalCoverage = terms.terms.isEmpty ? nil : terms.coverage(in: top)
        }
        timings["fuse"] = milliseconds(since: fuseStarted)
        // `retrieve` is everything after encoding: the channels' searches and the fusion.
        timings["retrieve"] = milliseconds(since: searchStarted)
        return RetrievalResult(
            references: references, support: SupportGrader.grade(evidence), evidence: evidence, language: language,
            timings: timings
        )
    }

    /// Puts the asked sections first: each gets w_image / k, more than any rank's w / (k + rank). An entry that
    /// has no asked section in the question's language speaks through its passages in that language instead: a
    /// Chinese question about the differential is better answered by the entry's Chinese passage (which may well
    /// discuss it) than by quoting English.
    static func lift(
        _ sections: Set<SectionIntent>, of candidates: [String: Passage], in fused: inout [String: Float], language: Language,
        weights: FusionWeights
    ) {
        let asked = { (p: Passage) in sections.contains { $0.matches(heading: p.heading) } }
        let answeredInLanguage = Set(candidates.values.filter { $0.language == language && asked($0) }.map(\.entryID))
        let lifted = { (p: Passage) in
            asked(p) || (language != .en && p.language == language && !answeredInLanguage.contains(p.entryID))
        }
        for (id, score) in fused {
            if let p = candidates[id], lifted(p) { fused[id] = score + weights.image / weights.k }
        }
    }

    func adaptiveWeights(evidence: SupportEvidence, lexical: Support) -> FusionWeights {
        weights.scaled(
            image: evidence.image.map { SupportThresholds.forEncoder($0.encoder).level($0.score) },
            text: evidence.textLevel,
            lexical: lexical
        )
    }
}

func milliseconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
}
