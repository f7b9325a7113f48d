public import AtlasCore
import GRDB
import LinearAlgebra

extension AtlasStore {
    public func nearestPassages(to vector: [Float], encoder: String, k: Int) throws -> [PassageHit] {
        guard k > 0 else { return [] }
        let table = try vectorTable(encoder: encoder, kind: .passage, query: vector, modality: .text)
        guard vector.l2Norm > 0 else { return [] } // a zero vector has no direction: nothing is near it
        return table.nearest(to: vector, k: k).compactMap { hit in
            guard case .passage(let id) = table.owners[hit.row] else { return nil }
            return PassageHit(passageID: id, score: hit.score)
        }
    }

    /// Images ranked by the cosine of their whole-image vector; each hit carries the image's tile whose
    /// vector is nearest to the same query (the region to show the user).
    public func nearestImages(to vector: [Float], encoder: String, k: Int) throws -> [ImageHit] {
        guard k > 0 else { return [] }
        let images = try vectorTable(encoder: encoder, kind: .image, query: vector, modality: .image)
        let tiles = try vectorTable(encoder: encoder, kind: .tile, query: vector, modality: .image)
        guard vector.l2Norm > 0 else { return [] }
        return images.nearest(to: vector, k: k).compactMap { hit in
            guard case .image(let rowID, let file) = images.owners[hit.row] else { return nil }
            return ImageHit(
                entryID: images.entryOfRow[hit.row], file: file, score: hit.score,
                bestTile: tiles.bestTile(ofImage: rowID, query: vector)?.rect
            )
        }
    }

    /// Images ranked by tile-level matching (ARCHITECTURE.md, "Image channel"): an image's score is the
    /// better of its whole-image cosine and its tile score — the mean over the query's tiles of each one's
    /// best cosine with the image's tiles — so an atlas image with a small region like the query ranks as
    /// if it showed only that region. Each hit carries the best-matching tile pair.
    public func nearestImages(to embedding: ImageEmbedding, encoder: String, k: Int) throws -> [ImageHit] {
        guard k > 0 else { return [] }
        let query = embedding.vector
        let images = try vectorTable(encoder: encoder, kind: .image, query: query, modality: .image)
        let usable = embedding.tiles.map(\.vector).filter { $0.count == query.count && $0.allSatisfy(\.isFinite) && $0.l2Norm > 0 }
        guard usable.count == embedding.tiles.count, !usable.isEmpty else {
            return try nearestImages(to: query, encoder: encoder, k: k)
        }
        let tiles = try vectorTable(encoder: encoder, kind: .tile, query: query, modality: .image)
        guard query.l2Norm > 0 else { return [] }
        let queryTiles = Matrix(stacking: usable.map { $0.l2Normalized() }, columns: query.count)
        let matches = TileMatcher.match(queryTiles, against: tiles)
        var scores = images.matrix.multiplied(by: query.l2Normalized())
        for row in images.deadRows { scores[row] = .nan } // topK never returns NaN
        let whole = scores
        for row in scores.indices where !scores[row].isNaN {
            guard case .image(let rowID, _) = images.owners[row], let match = matches[rowID] else { continue }
            scores[row] = max(scores[row], match.score)
        }
        // A one-tile query is its whole view: there is no query tile to point at.
        let pointAtQueryTile = embedding.tiles.count > 1
        return topK(scores, k: k).compactMap { hit in
            guard case .image(let rowID, let file) = images.owners[hit.index] else { return nil }
            let match = matches[rowID]
            return ImageHit(
                entryID: images.entryOfRow[hit.index], file: file, score: hit.score,
                bestTile: match?.atlasTile ?? tiles.bestTile(ofImage: rowID, query: query)?.rect,
                queryTile: pointAtQueryTile ? match.map { embedding.tiles[$0.queryTile].rect } : nil,
                wholeImageScore: whole[hit.index], tileScore: match?.score
            )
        }
    }

    private func vectorTable(
        encoder: String, kind: OwnerKind, query: [Float], modality: EncoderRecord.Modality
    ) throws -> VectorTable {
        let record = try encoderRecord(encoder)
        guard record.modality == modality else {
            throw AtlasError(.badInput, "searching '\(path)': encoder '\(encoder)' makes \(record.modality.rawValue) vectors, not \(modality.rawValue) vectors")
        }
        guard query.count == record.dimension else {
            throw AtlasError(.encoder, "searching '\(path)' with encoder '\(encoder)': the query vector has \(query.count) values, the index's have \(record.dimension)")
        }
        guard query.allSatisfy(\.isFinite) else {
            throw AtlasError(.badInput, "searching '\(path)' with encoder '\(encoder)': the query vector has non-finite values")
        }
        return try whileDoing("loading \(kind.rawValue) vectors of '\(encoder)' from '\(path)'") {
            try vectors.table(VectorTableKey(encoder: encoder, kind: kind), dimension: record.dimension, pool: pool)
        }
    }

    /// The record of `encoder`, read from the file only the first time: a recorded encoder never changes
    /// (`register(encoders:)` refuses another record under the same id), so later searches skip the read
    /// and the JSON decoding. An unknown id is looked up again each time (another process may register it).
    private func encoderRecord(_ encoder: String) throws -> EncoderRecord {
        if let record = vectors.knownEncoder(encoder) { return record }
        let records = try encoders()
        guard let record = records.first(where: { $0.id == encoder }) else {
            let known = records.map(\.id).joined(separator: ", ")
            throw AtlasError(.notFound, "searching '\(path)' with encoder '\(encoder)': the index has no vectors from it (it has: \(known.isEmpty ? "none" : known))")
        }
        vectors.remember(record)
        return record
    }
}
