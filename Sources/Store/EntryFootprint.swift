import Foundation
import GRDB

/// Everything an entry left in the index, counted from one snapshot: what a crash-safety check compares
/// against the atlas source (and against an uninterrupted ingest) to tell a whole entry from half of one.
public struct EntryFootprint: Sendable, Hashable, CustomStringConvertible {
    /// Passage ids in ordinal order.
    public var passageIDs: [String]
    /// Image files in position order, with the SHA-256 of their stored bytes.
    public var images: [String]
    public var imageSHA256s: [String]
    /// Tiles of each image, in the same order.
    public var tilesPerImage: [Int]
    /// Vectors by "owner kind/encoder" ("passage/all-MiniLM-L6-v2": 3).
    public var vectors: [String: Int]
    /// Passages each full-text index finds by their own first word (words) and first three characters (trigrams).
    public var wordIndexed: Int
    public var trigramIndexed: Int

    public var description: String {
        "\(passageIDs.count) passages (\(wordIndexed)/\(trigramIndexed) full-text), images \(images), tiles \(tilesPerImage), vectors \(vectors.sorted { $0.key < $1.key })"
    }
}

extension AtlasStore {
    /// The footprint of every entry, read in one transaction (so a concurrent ingest is seen before or after
    /// each of its entry writes, never inside one).
    public func entryFootprints() throws -> [String: EntryFootprint] {
        try whileDoing("reading entry footprints from '\(path)'") {
            try pool.read { db in
                var result: [String: EntryFootprint] = [:]
                for id in try String.fetchAll(db, sql: "SELECT id FROM entries ORDER BY id") {
                    result[id] = try Self.footprint(of: id, db)
                }
                return result
            }
        }
    }

    private static func footprint(of id: String, _ db: Database) throws -> EntryFootprint {
        let passages = try Row.fetchAll(
            db, sql: "SELECT rowid, id, text FROM passages WHERE entry_id = ? ORDER BY ordinal", arguments: [id])
        let images = try Row.fetchAll(
            db, sql: "SELECT rowid, file, sha256 FROM images WHERE entry_id = ? ORDER BY position", arguments: [id])
        var tiles: [Int] = []
        for image in images {
            let rowid: Int64 = image["rowid"]
            tiles.append(try Int.fetchOne(db, sql: "SELECT count(*) FROM tiles WHERE image_id = ?", arguments: [rowid]) ?? 0)
        }
        var vectors: [String: Int] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT owner_kind, encoder, count(*) AS n FROM vectors WHERE entry_id = ? GROUP BY owner_kind, encoder",
            arguments: [id])
        {
            vectors["\(row["owner_kind"] as String)/\(row["encoder"] as String)"] = row["n"]
        }
        var words = 0
        var trigrams = 0
        for passage in passages {
            let rowid: Int64 = passage["rowid"]
            let text: String = passage["text"]
            // A quoted FTS5 string is matched literally, whatever characters it holds.
            func quoted(_ s: some StringProtocol) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            if let word = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).first {
                words += try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM passage_words WHERE passage_words MATCH ? AND rowid = ?",
                    arguments: [quoted(word), rowid]) ?? 0
            }
            if text.count >= 3 {
                trigrams += try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM passage_trigrams WHERE passage_trigrams MATCH ? AND rowid = ?",
                    arguments: [quoted(text.prefix(3)), rowid]) ?? 0
            }
        }
        return EntryFootprint(
            passageIDs: passages.map { $0["id"] }, images: images.map { $0["file"] }, imageSHA256s: images.map { $0["sha256"] },
            tilesPerImage: tiles, vectors: vectors, wordIndexed: words, trigramIndexed: trigrams
        )
    }
}
