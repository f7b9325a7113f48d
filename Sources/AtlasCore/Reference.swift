/// One retrieved passage, as users and scripts see it (`retrieve --json`, the answer's `references`).
public struct Reference: Sendable, Codable, Hashable {
    public var rank: Int
    public var entry: String
    public var passage: String
    public var title: String
    public var heading: String?
    public var text: String
    public var source: String
    /// The entry image that matched the query image best, and its best tile; nil without an image query.
    public var image: ImageMatch?
    public var scores: Scores

    public init(
        rank: Int, entry: String, passage: String, title: String, heading: String?, text: String, source: String,
        image: ImageMatch?, scores: Scores
    ) {
        self.rank = rank
        self.entry = entry
        self.passage = passage
        self.title = title
        self.heading = heading
        self.text = text
        self.source = source
        self.image = image
        self.scores = scores
    }

    public struct ImageMatch: Sendable, Codable, Hashable {
        public var file: String
        /// The atlas image's tile that matched best (`[x, y, w, h]` in the atlas image's pixels).
        public var tile: TileRect?
        /// The query image's tile that matched it (in the query's pixels); absent for a one-tile query.
        public var queryTile: TileRect?

        public init(file: String, tile: TileRect?, queryTile: TileRect? = nil) {
            self.file = file
            self.tile = tile
            self.queryTile = queryTile
        }

        enum CodingKeys: String, CodingKey {
            case file
            case tile
            case queryTile = "query_tile"
        }
    }

    /// Per-channel scores: cosine similarity for `image` and `text`, BM25 (higher is better) for `lexical`,
    /// and the weighted reciprocal-rank fusion score for `fused`. A channel that did not run, or did not
    /// find this passage, is null.
    public struct Scores: Sendable, Codable, Hashable {
        public var image: Float?
        public var text: Float?
        public var lexical: Float?
        public var fused: Float

        public init(image: Float? = nil, text: Float? = nil, lexical: Float? = nil, fused: Float) {
            self.image = image
            self.text = text
            self.lexical = lexical
            self.fused = fused
        }

        // Always write every key, null included, so the JSON shape is fixed.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(image, forKey: .image)
            try c.encode(text, forKey: .text)
            try c.encode(lexical, forKey: .lexical)
            try c.encode(fused, forKey: .fused)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rank, forKey: .rank)
        try c.encode(entry, forKey: .entry)
        try c.encode(passage, forKey: .passage)
        try c.encode(title, forKey: .title)
        try c.encode(heading, forKey: .heading)
        try c.encode(text, forKey: .text)
        try c.encode(source, forKey: .source)
        try c.encode(image, forKey: .image)
        try c.encode(scores, forKey: .scores)
    }
}

/// How well the retrieved references support an answer (thresholds: ARCHITECTURE.md, `SupportGrader`).
public enum Support: String, Sendable, Codable, Hashable, Comparable, CaseIterable {
    case none
    case weak
    case moderate
    case strong

    private var order: Int {
        switch self {
        case .none: 0
        case .weak: 1
        case .moderate: 2
        case .strong: 3
        }
    }

    public static func < (a: Support, b: Support) -> Bool { a.order < b.order }
}
