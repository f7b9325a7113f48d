public import Foundation

/// Whether a text is a question or atlas text: E5 models are prefixed `query: ` / `passage: `.
public enum TextRole: String, Sendable, Hashable {
    case query
    case passage
}

/// Turns text into unit-length vectors. Implementations are immutable after loading.
public protocol TextEncoder: Sendable {
    /// `all-MiniLM-L6-v2`, `multilingual-e5-small`, …
    var id: String { get }
    var dimension: Int { get }
    /// SHA-256 of the weights, recorded in the index so vectors from different weights never mix.
    var weightsHash: String { get }
    /// One L2-normalised vector per text, in order.
    func embed(_ texts: [String], role: TextRole) throws -> [[Float]]
}

/// One tile's vector and its place in the image.
public struct TileEmbedding: Sendable, Hashable {
    public var rect: TileRect
    public var vector: [Float]

    public init(rect: TileRect, vector: [Float]) {
        self.rect = rect
        self.vector = vector
    }
}

/// An image's summary vector plus the vectors of the tiles it was cut into.
public struct ImageEmbedding: Sendable, Hashable {
    public var width: Int
    public var height: Int
    /// The whole-image vector (a summary of the tiles), L2-normalised.
    public var vector: [Float]
    public var tiles: [TileEmbedding]

    public init(width: Int, height: Int, vector: [Float], tiles: [TileEmbedding]) {
        self.width = width
        self.height = height
        self.vector = vector
        self.tiles = tiles
    }
}

/// Turns an image file into vectors. `name` only labels errors ("decoding PNG 'x.png': …").
public protocol ImageEncoder: Sendable {
    /// `histo-v1`, …
    var id: String { get }
    var dimension: Int { get }
    var weightsHash: String { get }
    func embed(imageData: Data, name: String) throws -> ImageEmbedding
}

/// Which encoder built an index's vectors; an index refuses vectors from another encoder under the same id.
public struct EncoderRecord: Sendable, Codable, Hashable {
    public enum Modality: String, Sendable, Codable, Hashable {
        case text
        case image
    }

    public var id: String
    public var modality: Modality
    public var dimension: Int
    public var weightsHash: String

    public init(id: String, modality: Modality, dimension: Int, weightsHash: String) {
        self.id = id
        self.modality = modality
        self.dimension = dimension
        self.weightsHash = weightsHash
    }

    public init(_ encoder: some TextEncoder) {
        self.init(id: encoder.id, modality: .text, dimension: encoder.dimension, weightsHash: encoder.weightsHash)
    }

    public init(_ encoder: some ImageEncoder) {
        self.init(id: encoder.id, modality: .image, dimension: encoder.dimension, weightsHash: encoder.weightsHash)
    }
}

/// A passage found by a channel. `score` is cosine similarity (dense) or BM25 (lexical, higher is better).
public struct PassageHit: Sendable, Hashable {
    public var passageID: String
    public var score: Float

    public init(passageID: String, score: Float) {
        self.passageID = passageID
        self.score = score
    }
}

/// An atlas image found by the image channel, with the tile of it that matched best.
public struct ImageHit: Sendable, Hashable {
    public var entryID: String
    public var file: String
    /// The image's score: the better of the whole-image cosine and the tile aggregate (ARCHITECTURE.md).
    public var score: Float
    /// The atlas image's tile in the best-matching tile pair (the region to outline).
    public var bestTile: TileRect?
    /// The query image's tile in that pair; nil when the query was matched as one whole image.
    public var queryTile: TileRect?
    /// Cosine of the whole-image vectors.
    public var wholeImageScore: Float?
    /// Mean over the query's tiles of each one's best cosine with this image's tiles; nil without tiles.
    public var tileScore: Float?

    public init(
        entryID: String, file: String, score: Float, bestTile: TileRect?, queryTile: TileRect? = nil,
        wholeImageScore: Float? = nil, tileScore: Float? = nil
    ) {
        self.entryID = entryID
        self.file = file
        self.score = score
        self.bestTile = bestTile
        self.queryTile = queryTile
        self.wholeImageScore = wholeImageScore
        self.tileScore = tileScore
    }
}

/// The few fields of an entry that a reference shows.
public struct EntrySummary: Sendable, Hashable {
    public var id: String
    public var title: String
    public var source: String
    public var diagnosis: String?

    public init(id: String, title: String, source: String, diagnosis: String?) {
        self.id = id
        self.title = title
        self.source = source
        self.diagnosis = diagnosis
    }
}

/// What retrieval reads from an atlas index.
public protocol AtlasReader: Sendable {
    /// The encoders whose vectors the index holds.
    func encoders() throws -> [EncoderRecord]
    /// Passages nearest to a text embedding made by `encoder`, best first.
    func nearestPassages(to vector: [Float], encoder: String, k: Int) throws -> [PassageHit]
    /// Atlas images nearest to an image embedding made by `encoder`, best first, each with its best tile.
    func nearestImages(to vector: [Float], encoder: String, k: Int) throws -> [ImageHit]
    /// Atlas images nearest to a query image's embedding, matching its tiles against every atlas tile
    /// (so a small region that matches is not averaged away), best first, each with its best tile pair.
    func nearestImages(to embedding: ImageEmbedding, encoder: String, k: Int) throws -> [ImageHit]
    /// BM25 over passages. `text` is the user's words, taken as data, never as FTS5 query syntax.
    func lexicalSearch(_ text: String, k: Int) throws -> [PassageHit]
    /// Whether any passage holds a word of `text` (read as `lexicalSearch` reads it): an existence check, which
    /// costs far less than ranking when the word is common.
    func mentions(_ text: String) throws -> Bool
    /// Passages by id, in the order asked; unknown ids are left out.
    func passages(ids: [String]) throws -> [Passage]
    /// Every passage of these entries, by entry then ordinal.
    func passages(ofEntries ids: [String]) throws -> [Passage]
    func entrySummaries(ids: [String]) throws -> [String: EntrySummary]
    /// The whole entry as ingested, or nil.
    func entry(id: String) throws -> Entry?
    /// The stored bytes of one of an entry's images, or nil.
    func imageData(entry: String, file: String) throws -> Data?
}

extension AtlasReader {
    public func mentions(_ text: String) throws -> Bool {
        try !lexicalSearch(text, k: 1).isEmpty
    }

    /// Readers without tile search match the whole-image vector only.
    public func nearestImages(to embedding: ImageEmbedding, encoder: String, k: Int) throws -> [ImageHit] {
        try nearestImages(to: embedding.vector, encoder: encoder, k: k)
    }
}

/// One entry ready to store: its text, its images' bytes and vectors, and the passages' vectors.
public struct IngestRecord: Sendable {
    public struct Image: Sendable {
        public var image: AtlasImage
        /// The original file as read (PNG or JPEG), stored so the index file is self-contained.
        public var data: Data
        public var embeddings: [String: ImageEmbedding]

        public init(image: AtlasImage, data: Data, embeddings: [String: ImageEmbedding]) {
            self.image = image
            self.data = data
            self.embeddings = embeddings
        }
    }

    public var entry: Entry
    /// SHA-256 over the entry's text and image bytes and the encoders used: unchanged hash, nothing to redo.
    public var contentHash: String
    public var images: [Image]
    /// Per text encoder id, one vector per passage in `entry.passages` order.
    public var passageVectors: [String: [[Float]]]

    public init(entry: Entry, contentHash: String, images: [Image], passageVectors: [String: [[Float]]]) {
        self.entry = entry
        self.contentHash = contentHash
        self.images = images
        self.passageVectors = passageVectors
    }
}

/// What ingest writes. Each entry is written in one transaction: readers see all of it or none.
public protocol AtlasWriter: Sendable {
    /// Records the encoders; throws if the index was built with a different encoder under the same id.
    func register(encoders: [EncoderRecord]) throws
    /// The stored content hash of an entry, nil if absent.
    func contentHash(ofEntry id: String) throws -> String?
    /// Inserts or replaces the entry and everything hanging off it.
    func write(_ record: IngestRecord) throws
    func removeEntry(id: String) throws
}
