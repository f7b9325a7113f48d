public import AtlasCore
public import Foundation
import GRDB

extension AtlasStore {
    public func passages(ids: [String]) throws -> [Passage] {
        guard !ids.isEmpty else { return [] }
        let found = try whileDoing("reading \(ids.count) passages from '\(path)'") {
            try pool.read { db in
                var byID: [String: Passage] = [:]
                for chunk in ids.chunked(500) {
                    let rows = try Row.fetchAll(
                        db, sql: "SELECT * FROM passages WHERE id IN (\(placeholders(chunk.count)))", arguments: StatementArguments(chunk)
                    )
                    for row in rows {
                        let passage = Self.passage(row)
                        byID[passage.id] = passage
                    }
                }
                return byID
            }
        }
        return ids.compactMap { found[$0] }
    }

    public func passages(ofEntries ids: [String]) throws -> [Passage] {
        guard !ids.isEmpty else { return [] }
        let byEntry = try whileDoing("reading the passages of \(ids.count) entries from '\(path)'") {
            try pool.read { db in
                var byEntry: [String: [Passage]] = [:]
                for chunk in ids.chunked(500) {
                    let rows = try Row.fetchAll(
                        db, sql: "SELECT * FROM passages WHERE entry_id IN (\(placeholders(chunk.count))) ORDER BY entry_id, ordinal",
                        arguments: StatementArguments(chunk)
                    )
                    for row in rows {
                        let passage = Self.passage(row)
                        byEntry[passage.entryID, default: []].append(passage)
                    }
                }
                return byEntry
            }
        }
        // In the order the entries were asked for, each entry once.
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }.flatMap { byEntry[$0] ?? [] }
    }

    public func entrySummaries(ids: [String]) throws -> [String: EntrySummary] {
        guard !ids.isEmpty else { return [:] }
        return try whileDoing("reading \(ids.count) entry summaries from '\(path)'") {
            try pool.read { db in
                var summaries: [String: EntrySummary] = [:]
                for chunk in ids.chunked(500) {
                    let rows = try Row.fetchAll(
                        db, sql: "SELECT id, title, source, diagnosis FROM entries WHERE id IN (\(placeholders(chunk.count)))",
                        arguments: StatementArguments(chunk)
                    )
                    for row in rows {
                        let id: String = row["id"]
                        summaries[id] = EntrySummary(id: id, title: row["title"], source: row["source"], diagnosis: row["diagnosis"])
                    }
                }
                return summaries
            }
        }
    }

    public func entry(id: String) throws -> Entry? {
        try whileDoing("reading entry '\(id)' from '\(path)'") {
            try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM entries WHERE id = ?", arguments: [id]) else { return nil }
                let passages = try Row.fetchAll(
                    db, sql: "SELECT * FROM passages WHERE entry_id = ? ORDER BY ordinal", arguments: [id]
                ).map(Self.passage)
                let images = try Row.fetchAll(
                    db, sql: "SELECT file, caption FROM images WHERE entry_id = ? ORDER BY position", arguments: [id]
                ).map { AtlasImage(file: $0["file"], caption: $0["caption"]) }
                let tagsJSON: String = row["tags"]
                let metadataJSON: String = row["metadata"]
                let decoder = JSONDecoder()
                return Entry(
                    id: row["id"], title: row["title"], organ: row["organ"], diagnosis: row["diagnosis"],
                    tags: try decoder.decode([String].self, from: Data(tagsJSON.utf8)),
                    stain: row["stain"], source: row["source"], license: row["license"],
                    metadata: try decoder.decode([String: String].self, from: Data(metadataJSON.utf8)),
                    passages: passages, images: images
                )
            }
        }
    }

    public func imageData(entry: String, file: String) throws -> Data? {
        try whileDoing("reading image '\(file)' of entry '\(entry)' from '\(path)'") {
            try pool.read { db in
                try Data.fetchOne(db, sql: "SELECT data FROM images WHERE entry_id = ? AND file = ?", arguments: [entry, file])
            }
        }
    }

    static func passage(_ row: Row) -> Passage {
        let language: String = row["language"]
        var passage = Passage(
            entryID: row["entry_id"], ordinal: row["ordinal"], heading: row["heading"], text: row["text"],
            language: Language(rawValue: language) ?? .en
        )
        passage.id = row["id"] // as stored, should a future id scheme differ from "<entry>#<ordinal>"
        return passage
    }
}

func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}

extension Array {
    /// Pieces of at most `size` elements, to stay under SQLite's limit on bound parameters.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0 ..< Swift.min($0 + size, count)] }
    }
}
