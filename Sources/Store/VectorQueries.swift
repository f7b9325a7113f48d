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

    private func vectorTable(
        encoder: String, kind: OwnerKind, query: [Float], modality: EncoderRecord.Modality
    ) throws -> VectorTable {
        let records = try encoders()
        guard let record = records.first(where: { $0.id == encoder }) else {
            let known = records.map(\.id).joined(separator: ", ")
            throw AtlasError(.notFound, "searching '\(path)' with encoder '\(encoder)': the index has no vectors from it (it has: \(known.isEmpty ? "none" : known))")
        }
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
}
