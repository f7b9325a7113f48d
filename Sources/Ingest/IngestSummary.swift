/// What an ingest did, printed as text or (`--json`) as this JSON.
public struct IngestSummary: Sendable, Codable, Hashable {
    public struct Entries: Sendable, Codable, Hashable {
        /// Entries found in the atlas, good or bad.
        public var inAtlas: Int
        /// Written (new or changed).
        public var ingested: Int
        /// Already in the index with the same content hash: left as they were.
        public var unchanged: Int
        /// Skipped because of a problem (see `problems`).
        public var failed: Int
        /// In the index but no longer in the atlas (folder atlases): kept unless pruned.
        public var notInAtlas: [String]
        /// Removed from the index because they are no longer in the atlas (`--prune`).
        public var pruned: [String]

        public init(inAtlas: Int = 0, ingested: Int = 0, unchanged: Int = 0, failed: Int = 0, notInAtlas: [String] = [], pruned: [String] = []) {
            self.inAtlas = inAtlas
            self.ingested = ingested
            self.unchanged = unchanged
            self.failed = failed
            self.notInAtlas = notInAtlas
            self.pruned = pruned
        }

        enum CodingKeys: String, CodingKey {
            case inAtlas = "in_atlas"
            case ingested, unchanged, failed
            case notInAtlas = "not_in_atlas"
            case pruned
        }
    }

    public var atlas: String
    public var format: AtlasFormat
    public var entries: Entries
    /// Passages, images and tiles written in this run (unchanged entries not counted).
    public var passages: Int
    public var images: Int
    public var tiles: Int
    public var problems: [AtlasProblem]
    public var seconds: Double
    /// Images embedded per second of the whole run.
    public var imagesPerSecond: Double

    public init(
        atlas: String, format: AtlasFormat, entries: Entries, passages: Int, images: Int, tiles: Int,
        problems: [AtlasProblem], seconds: Double, imagesPerSecond: Double
    ) {
        self.atlas = atlas
        self.format = format
        self.entries = entries
        self.passages = passages
        self.images = images
        self.tiles = tiles
        self.problems = problems
        self.seconds = seconds
        self.imagesPerSecond = imagesPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case atlas, format, entries, passages, images, tiles, problems, seconds
        case imagesPerSecond = "images_per_second"
    }

    /// Something was skipped: the CLI exits non-zero.
    public var hasProblems: Bool { !problems.isEmpty }

    /// The human summary: counts on one line, then each problem on its own.
    public var text: String {
        var lines = [
            "ingested \(entries.ingested) of \(entries.inAtlas) entries (\(entries.unchanged) unchanged, \(entries.failed) failed): "
                + "\(passages) passages, \(images) images, \(tiles) tiles in \(Self.format(seconds)) s"
                + (images > 0 ? " (\(Self.format(imagesPerSecond)) images/s)" : ""),
        ]
        if !entries.notInAtlas.isEmpty {
            lines.append("not in atlas (kept; --prune removes them): \(entries.notInAtlas.joined(separator: ", "))")
        }
        if !entries.pruned.isEmpty { lines.append("pruned: \(entries.pruned.joined(separator: ", "))") }
        for problem in problems { lines.append("problem: \(problem)") }
        return lines.joined(separator: "\n")
    }

    static func format(_ x: Double) -> String {
        let rounded = (x * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
