public import AtlasCore
import Foundation
import LinearAlgebra

/// Recognises which tissue a question is about by meaning, and names that tissue's technical terms.
///
/// The word-cue thesaurus (PathologyThesaurus) catches only the phrasings its cues were written against; a
/// lay question with none of them ("the padding around the colon", "肠子外面软软的那层") reaches the small
/// encoder alone, which ranks by surface similarity and often lands on the wrong tissue. Here each tissue
/// has many varied phrasings (TissueConceptPhrasings), embedded once per encoder with the same model and
/// role as questions; a question is compared with all of them and, when one tissue clearly wins — its best
/// phrasings close enough (floor) and nearer than any other tissue's (margin) — that tissue's technical
/// terms join the search like the thesaurus's do. Chinese phrasings carry English terms, so a Chinese
/// question meets the English atlas in its own vocabulary. Nothing matches an off-topic question.
public struct TissueConcepts: Sendable {
    public struct Match: Sendable, Equatable {
        public var name: String
        /// Technical English terms, space-separated.
        public var terms: String
        /// Mean cosine of the concept's best phrasings to the question, and how far it leads the runner-up.
        public var score: Float
        public var margin: Float
    }

    /// A concept's score is the mean of its `topK` best phrasing cosines (one stray phrasing does not decide).
    public static let topK = 3
    /// Calibrated on the dev and dev2 sets of Tests/Support/text-quality and a list of off-topic questions with
    /// multilingual-e5-small: right matches scored 0.860–0.910 (English) and 0.907–0.950 (Chinese), everyday
    /// off-topic questions at most 0.834 and 0.874. Chinese questions meet Chinese phrasings, which sit closer
    /// together in E5's space, hence a higher floor. Winners led by less than `margin` are a tie, not a match.
    /// Nil for an encoder not calibrated (its cosines live on another scale): the word cues alone serve it.
    public static func floor(encoder: String, _ language: Language) -> Float? {
        guard encoder == "multilingual-e5-small" else { return nil }
        return language == .zh ? 0.90 : 0.855
    }
    public static let margin: Float = 0.002

    let names: [String]
    let terms: [String]
    /// One row per phrasing, and the concept each row belongs to.
    let vectors: Matrix
    let owners: [Int]
    let dimension: Int
    let encoderID: String
    /// Each concept's terms embedded (query role): what the search vector leans towards when it wins.
    public let termVectors: [[Float]]

    /// Embeds every phrasing and term list with `encoder` (query role). A few hundred short texts: cached
    /// per encoder by `shared(for:)`.
    /// `environment` (default: the process's) locates the disk cache (VectorCache).
    public init(encoder: any TextEncoder, environment: [String: String]? = nil) throws {
        let table = TissueConceptPhrasings.table
        var texts: [String] = []
        var owners: [Int] = []
        for (i, concept) in table.enumerated() {
            for phrasing in concept.english + concept.chinese {
                texts.append(phrasing)
                owners.append(i)
            }
        }
        texts += table.map(\.terms)
        let dimension = encoder.dimension
        let all: [Float]
        let cache = VectorCache(encoder: encoder, texts: texts, environment: environment ?? ProcessInfo.processInfo.environment)
        if let cached = cache?.load(count: texts.count * dimension) {
            all = cached
        } else {
            var embedded: [Float] = []
            embedded.reserveCapacity(texts.count * dimension)
            // Batches of 32, the size ingest uses: padding to the longest text stays small.
            for start in stride(from: 0, to: texts.count, by: 32) {
                for v in try encoder.embed(Array(texts[start..<min(start + 32, texts.count)]), role: .query) {
                    embedded += v
                }
            }
            all = embedded
            cache?.store(all)
        }
        names = table.map(\.name)
        terms = table.map(\.terms)
        self.owners = owners
        self.dimension = dimension
        encoderID = encoder.id
        vectors = Matrix(rows: owners.count, columns: dimension, values: Array(all[0..<owners.count * dimension]))
        termVectors = (0..<table.count).map { i in
            let start = (owners.count + i) * dimension
            return Array(all[start..<start + dimension])
        }
    }

    /// The concept `vector` (an L2-normalised embedding of a question in `language`) is clearly about, or nil.
    public func match(_ vector: [Float], language: Language) -> Match? {
        guard vector.count == dimension else { return nil }
        var perConcept = [[Float]](repeating: [], count: names.count)
        for (row, cosine) in vectors.multiplied(by: vector).enumerated() {
            perConcept[owners[row]].append(cosine)
        }
        let scores = perConcept.map { cosines -> Float in
            let best = cosines.sorted(by: >).prefix(Self.topK)
            return best.reduce(0, +) / Float(max(best.count, 1))
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        guard let first = order.first else { return nil }
        let lead = order.count > 1 ? scores[first] - scores[order[1]] : scores[first]
        guard let floor = Self.floor(encoder: encoderID, language), scores[first] >= floor, lead >= Self.margin else { return nil }
        return Match(name: names[first], terms: terms[first], score: scores[first], margin: lead)
    }

    /// `question`'s vector moved towards the matched concept's terms (weight `termWeight`), re-normalised: the
    /// dense-channel counterpart of appending the terms to the text, without encoding the question twice.
    public func lean(_ question: [Float], towards match: Match) -> [Float] {
        guard let index = names.firstIndex(of: match.name), question.count == dimension else { return question }
        let target = termVectors[index]
        var mixed = zip(question, target).map { $0 + Self.termWeight * $1 }
        let norm = mixed.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { mixed = mixed.map { $0 / norm } }
        return mixed
    }

    public static let termWeight: Float = 0.5

    /// The concepts embedded with `encoder`, built at its first use in this process and kept (the encoder's
    /// id and weights name the cache entry).
    public static func shared(for encoder: any TextEncoder) throws -> TissueConcepts {
        let key = encoder.id + "/" + encoder.weightsHash
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let built = try TissueConcepts(encoder: encoder)
        cache.withLock { $0[key] = built }
        return built
    }

    private static let cache = LockedState<[String: TissueConcepts]>([:])
}

/// The phrasing vectors of one encoder and one phrasing table, kept on disk so a short-lived process (one
/// CLI query) does not re-embed a few hundred texts (seconds) each time. The file name hashes the encoder's
/// id, its weights' SHA-256 and every text, so a changed table or model never reads stale vectors; a file of
/// the wrong size is ignored and rewritten. Any failure to read or write only means embedding again.
struct VectorCache {
    let file: URL

    init?(encoder: any TextEncoder, texts: [String], environment: [String: String]) {
        let base: URL
        if let dir = environment["ATLASQA_CACHE"], !dir.isEmpty {
            if dir == "off" { return nil }
            base = URL(fileURLWithPath: dir)
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg).appendingPathComponent("atlasqa")
        } else if let home = environment["HOME"], !home.isEmpty {
            base = URL(fileURLWithPath: home).appendingPathComponent(".cache/atlasqa")
        } else {
            return nil
        }
        // Each text ends in a NUL, so ["ab", "c"] and ["a", "bc"] name different files.
        var hasher = SHA256()
        for text in [encoder.id, encoder.weightsHash, String(encoder.dimension)] + texts {
            hasher.update(text)
            hasher.update([UInt8(0)])
        }
        file = base.appendingPathComponent("concepts-\(encoder.id)-\(SHA256.hex(hasher.finalize()).prefix(16)).f32")
    }

    func load(count: Int) -> [Float]? {
        guard let data = try? Data(contentsOf: file), data.count == count * MemoryLayout<Float>.size else { return nil }
        var values = [Float](repeating: 0, count: count)
        _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }
        // Stored little-endian (the bytes of `store`); a big-endian machine swaps them back.
        if UInt32(1).littleEndian != 1 { values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) } }
        return values.allSatisfy(\.isFinite) ? values : nil
    }

    func store(_ values: [Float]) {
        let littleEndian = UInt32(1).littleEndian == 1 ? values : values.map { Float(bitPattern: $0.bitPattern.littleEndian) }
        let data = littleEndian.withUnsafeBytes { Data($0) }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: file, options: .atomic)
    }
}
