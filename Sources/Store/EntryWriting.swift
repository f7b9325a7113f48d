public import AtlasCore
import Foundation
import GRDB
import LinearAlgebra

extension AtlasStore {
    public func contentHash(ofEntry id: String) throws -> String? {
        try whileDoing("reading the content hash of entry '\(id)' in '\(path)'") {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT content_hash FROM entries WHERE id = ?", arguments: [id])
            }
        }
    }

    /// Inserts or completely replaces the entry (passages, images, tiles, vectors, full-text rows) in one
    /// transaction: a failure anywhere leaves the previous version, or nothing, never half an entry.
    /// Vectors must come from encoders recorded with `register(encoders:)`, with their dimension.
    public func write(_ record: IngestRecord) throws {
        let doing = "writing entry '\(record.entry.id)' to '\(path)'"
        do {
            try whileDoing(doing) {
                try vectors.write {
                    try pool.write { db in
                        let before = try VectorIndex.generation(db)
                        let change = try EntryWriter(db: db, record: record).write()
                        try Self.setGeneration(before + 1, db)
                        return (before, before + 1, change)
                    }
                }
            }
        } catch let error as AtlasError where error.code != .storage {
            // Our own checks (encoder, bad input) know what is wrong but not which entry: say so.
            throw AtlasError(error.code, "\(doing): \(error.message)")
        }
    }

    public func removeEntry(id: String) throws {
        try whileDoing("removing entry '\(id)' from '\(path)'") {
            try vectors.write {
                try pool.write { db in
                    let before = try VectorIndex.generation(db)
                    // Passages, images, tiles and vectors go by ON DELETE CASCADE; FTS rows by trigger.
                    try db.execute(sql: "DELETE FROM entries WHERE id = ?", arguments: [id])
                    try Self.setGeneration(before + 1, db)
                    return (before, before + 1, VectorChange(entryID: id))
                }
            }
        }
    }

    static func setGeneration(_ generation: Int64, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [Schema.generationKey, String(generation)]
        )
    }
}

/// Writes one IngestRecord inside an open transaction, checking its vectors against the recorded encoders.
struct EntryWriter {
    let db: Database
    let record: IngestRecord
    private let encoders: [String: EncoderRecord]
    private var change: VectorChange

    init(db: Database, record: IngestRecord) throws {
        self.db = db
        self.record = record
        self.encoders = Dictionary(try AtlasStore.encoderRecords(db).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.change = VectorChange(entryID: record.entry.id)
    }

    private var entry: Entry { record.entry }

    consuming func write() throws -> VectorChange {
        // Replacing = delete (cascades to passages → FTS triggers, images → tiles, vectors) + insert.
        try db.execute(sql: "DELETE FROM entries WHERE id = ?", arguments: [entry.id])
        try insertEntry()
        let passageRowIDs = try insertPassages()
        try insertPassageVectors(passageRowIDs)
        for (position, image) in record.images.enumerated() {
            try insertImage(image, position: position)
        }
        return change
    }

    private func insertEntry() throws {
        let tags = String(decoding: try JSONEncoder().encode(entry.tags), as: UTF8.self)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let metadata = String(decoding: try encoder.encode(entry.metadata), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO entries (id, title, organ, diagnosis, tags, stain, source, license, metadata, content_hash, ingested_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.id, entry.title, entry.organ, entry.diagnosis, tags, entry.stain, entry.source, entry.license,
                metadata, record.contentHash, ISO8601DateFormatter().string(from: Date()),
            ]
        )
    }

    private func insertPassages() throws -> [Int64] {
        try entry.passages.map { passage in
            guard passage.entryID == entry.id else {
                throw AtlasError(.badInput, "passage '\(passage.id)' belongs to entry '\(passage.entryID)', not '\(entry.id)'")
            }
            try db.execute(
                sql: "INSERT INTO passages (id, entry_id, ordinal, heading, text, language, entry_title) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [passage.id, entry.id, passage.ordinal, passage.heading, passage.text, passage.language.rawValue, entry.title]
            )
            return db.lastInsertedRowID
        }
    }

    private mutating func insertPassageVectors(_ rowIDs: [Int64]) throws {
        for encoderID in record.passageVectors.keys.sorted() {
            let vectors = record.passageVectors[encoderID]!
            let dimension = try registeredDimension(encoderID, modality: .text)
            guard vectors.count == rowIDs.count else {
                throw AtlasError(.encoder, "encoder '\(encoderID)' gave \(vectors.count) passage vectors for \(rowIDs.count) passages")
            }
            for (i, vector) in vectors.enumerated() {
                let owner = VectorOwner.passage(id: entry.passages[i].id)
                try insertVector(vector, kind: .passage, ownerRowID: rowIDs[i], owner: owner, encoderID: encoderID,
                                 dimension: dimension, what: "passage '\(entry.passages[i].id)'")
            }
        }
    }

    private mutating func insertImage(_ image: IngestRecord.Image, position: Int) throws {
        let size = image.embeddings.values.first.map { (width: $0.width, height: $0.height) }
        try db.execute(
            sql: """
                INSERT INTO images (entry_id, position, file, caption, data, width, height, sha256)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.id, position, image.image.file, image.image.caption, image.data, size?.width, size?.height,
                SHA256Digest.hex(image.data),
            ]
        )
        let imageRowID = db.lastInsertedRowID
        for encoderID in image.embeddings.keys.sorted() {
            let embedding = image.embeddings[encoderID]!
            let dimension = try registeredDimension(encoderID, modality: .image)
            try insertVector(embedding.vector, kind: .image, ownerRowID: imageRowID,
                             owner: .image(rowID: imageRowID, file: image.image.file),
                             encoderID: encoderID, dimension: dimension, what: "image '\(image.image.file)'")
            for tile in embedding.tiles {
                let r = tile.rect
                try db.execute(
                    sql: "INSERT OR IGNORE INTO tiles (image_id, x, y, w, h) VALUES (?, ?, ?, ?, ?)",
                    arguments: [imageRowID, r.x, r.y, r.width, r.height]
                )
                let tileRowID = try Int64.fetchOne(
                    db, sql: "SELECT rowid FROM tiles WHERE image_id = ? AND x = ? AND y = ? AND w = ? AND h = ?",
                    arguments: [imageRowID, r.x, r.y, r.width, r.height]
                )!
                try insertVector(tile.vector, kind: .tile, ownerRowID: tileRowID,
                                 owner: .tile(imageRowID: imageRowID, rect: r), encoderID: encoderID, dimension: dimension,
                                 what: "tile [\(r.x), \(r.y), \(r.width), \(r.height)] of image '\(image.image.file)'")
            }
        }
    }

    private func registeredDimension(_ encoderID: String, modality: EncoderRecord.Modality) throws -> Int {
        guard let record = encoders[encoderID] else {
            throw AtlasError(.encoder, "vectors from encoder '\(encoderID)', which the index does not record; register(encoders:) it first")
        }
        guard record.modality == modality else {
            throw AtlasError(.encoder, "encoder '\(encoderID)' is recorded as a \(record.modality.rawValue) encoder, but gave \(modality.rawValue) vectors")
        }
        return record.dimension
    }

    /// Stores the vector normalised (the search relies on unit rows) and remembers it for the in-memory index.
    private mutating func insertVector(
        _ vector: [Float], kind: OwnerKind, ownerRowID: Int64, owner: VectorOwner, encoderID: String, dimension: Int, what: String
    ) throws {
        guard vector.count == dimension else {
            throw AtlasError(.encoder, "the '\(encoderID)' vector of \(what) has \(vector.count) values; the index records \(dimension)")
        }
        guard vector.allSatisfy(\.isFinite) else {
            throw AtlasError(.encoder, "the '\(encoderID)' vector of \(what) has non-finite values")
        }
        let unit = vector.l2Normalized()
        try db.execute(
            sql: "INSERT INTO vectors (owner_kind, owner_id, entry_id, encoder, dim, vector) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [kind.rawValue, ownerRowID, entry.id, encoderID, dimension, VectorBlob.encode(unit)]
        )
        change.added.append((VectorTableKey(encoder: encoderID, kind: kind), unit, owner))
    }
}
