import AtlasCore
import Foundation
import Store
import Testing

/// Tile-level image search against a brute-force reference of the stated rule: an image's score is
/// max(whole-image cosine, mean over query tiles of the best cosine with the image's tiles).
@Suite("Tile-level image search")
struct TileSearchTests {
    func cosine(_ a: [Float], _ b: [Float]) -> Float {
        bruteForce(a, [(id: "", vector: b)], k: 1)[0].score
    }

    struct Expected {
        var order: Int
        var id: String
        var score: Float
        var tile: TileRect
        var queryTile: Int
    }

    /// The reference: every image scored by the rule, best first (ties by write order).
    func reference(_ query: ImageEmbedding, _ images: [(id: String, embedding: ImageEmbedding)]) -> [Expected] {
        var all: [Expected] = []
        for (i, image) in images.enumerated() {
            var bestScores: [Float] = []
            var bestTiles: [TileRect] = []
            for q in query.tiles {
                var best = (score: -Float.infinity, rect: image.embedding.tiles[0].rect)
                for t in image.embedding.tiles {
                    let c = cosine(q.vector, t.vector)
                    if c > best.score { best = (c, t.rect) }
                }
                bestScores.append(best.score)
                bestTiles.append(best.rect)
            }
            let tileScore: Float = bestScores.reduce(0, +) / Float(bestScores.count)
            let top = bestScores.indices.max { bestScores[$0] < bestScores[$1] }!
            let whole = cosine(query.vector, image.embedding.vector)
            all.append(Expected(order: i, id: image.id, score: max(whole, tileScore), tile: bestTiles[top], queryTile: top))
        }
        return all.sorted { $0.score != $1.score ? $0.score > $1.score : $0.order < $1.order }
    }

    func randomEmbedding(tiles: Int, rng: inout SeededGenerator) -> ImageEmbedding {
        let tileList = (0..<tiles).map { t in
            TileEmbedding(rect: TileRect(x: 32 * t, y: 0, width: 32, height: 32), vector: randomVector(imageEncoder.dimension, using: &rng))
        }
        return ImageEmbedding(width: 32 * tiles, height: 32, vector: randomVector(imageEncoder.dimension, using: &rng), tiles: tileList)
    }

    @Test("scores, order and best tile pairs match the brute-force reference, also after an entry is replaced")
    func matchesBruteForce() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 71)
        var records: [String: IngestRecord] = [:]
        for e in 0..<8 {
            let record = makeRecord(id: "img\(e)", texts: ["t"], imageFiles: ["a.png", "b.png"], tilesPerImage: 1 + e % 4, rng: &rng)
            try store.write(record)
            records[record.entry.id] = record
        }
        for round in 0..<2 {
            if round == 1 { // replacing an entry tombstones its old tile rows: they must not match any more
                let record = makeRecord(id: "img3", texts: ["t"], imageFiles: ["c.png"], tilesPerImage: 5, hash: "hash-2", rng: &rng)
                try store.write(record)
                records["img3"] = record
            }
            let images = records.keys.sorted().flatMap { id in
                records[id]!.images.map { (id: "\(id)/\($0.image.file)", embedding: $0.embeddings[imageEncoder.id]!) }
            }
            for queryTiles in [1, 3, 6] {
                let query = randomEmbedding(tiles: queryTiles, rng: &rng)
                let hits = try store.nearestImages(to: query, encoder: imageEncoder.id, k: 6)
                let expected = reference(query, images).prefix(6)
                #expect(hits.map { "\($0.entryID)/\($0.file)" } == expected.map(\.id))
                for (hit, want) in zip(hits, expected) {
                    #expect(abs(hit.score - want.score) < 1e-4)
                    #expect(hit.bestTile == want.tile)
                    #expect(hit.queryTile == (queryTiles > 1 ? query.tiles[want.queryTile].rect : nil))
                }
            }
        }
    }

    @Test("an atlas tile that equals a query tile wins, even when the rest of its image is unlike the query")
    func plantedTile() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 72)
        var planted = makeRecord(id: "planted", texts: ["t"], imageFiles: ["big.png"], tilesPerImage: 12, rng: &rng)
        for e in 0..<10 { try store.write(makeRecord(id: "other\(e)", texts: ["t"], imageFiles: ["x.png"], tilesPerImage: 2, rng: &rng)) }
        let query = randomEmbedding(tiles: 1, rng: &rng)
        let single = ImageEmbedding(width: 32, height: 32, vector: query.tiles[0].vector, tiles: query.tiles)
        // The planted image's 8th tile is the query; its whole-image vector stays unrelated.
        planted.images[0].embeddings[imageEncoder.id]!.tiles[7].vector = single.vector
        try store.write(planted)
        let hit = try #require(try store.nearestImages(to: single, encoder: imageEncoder.id, k: 1).first)
        #expect(hit.entryID == "planted" && hit.bestTile == TileRect(x: 7 * 64, y: 0, width: 64, height: 64))
        #expect(abs(hit.score - 1) < 1e-5 && (hit.wholeImageScore ?? 1) < 0.9)
    }
}
