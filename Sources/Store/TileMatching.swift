import AtlasCore
import LinearAlgebra

/// How one atlas image's tiles matched a query image's tiles.
struct TileMatch: Sendable {
    /// Mean over the query's tiles of each one's best cosine with this image's tiles.
    var score: Float
    /// The best single pair: the atlas tile and the index of the query tile.
    var atlasTile: TileRect
    var queryTile: Int
    var pairScore: Float
}

/// Matches every tile of a query against every tile in a tile table with one sgemm, and aggregates
/// per atlas image: each query tile takes its best-matching tile of the image, and the image's tile score
/// is the mean of those best matches. A small region of a large atlas image that looks like the query
/// therefore scores as high as a whole image of it would.
enum TileMatcher {
    /// - Parameters:
    ///   - queries: `[m, d]` unit rows, one per query tile.
    ///   - tiles: a tile table (owners are `.tile`); tombstoned rows are skipped.
    /// - Returns: per atlas image rowid, its match.
    static func match(_ queries: Matrix, against tiles: VectorTable) -> [Int64: TileMatch] {
        let m = queries.rows
        guard m > 0, tiles.matrix.rows > 0 else { return [:] }
        // [tiles, m]: row r holds the cosines of atlas tile r with every query tile.
        let scores = tiles.matrix.multiplied(by: queries, transposingOther: true)
        let dead = tiles.deadRows
        var slotOfImage: [Int64: Int] = [:]
        var images: [Int64] = []
        var best: [Float] = []       // [images, m]
        var bestRow: [Int32] = []    // [images, m]
        var lastImage: Int64 = -1
        var slot = -1
        scores.withUnsafeBufferPointer { s in
            for row in 0..<tiles.matrix.rows {
                guard case .tile(let image, _) = tiles.owners[row] else { continue }
                if !dead.isEmpty, dead.contains(row) { continue }
                // A table holds an image's tiles in consecutive rows: look the slot up once per image.
                if image != lastImage {
                    lastImage = image
                    if let known = slotOfImage[image] {
                        slot = known
                    } else {
                        slot = images.count
                        slotOfImage[image] = slot
                        images.append(image)
                        best.append(contentsOf: repeatElement(-.infinity, count: m))
                        bestRow.append(contentsOf: repeatElement(-1, count: m))
                    }
                }
                let base = slot * m
                let rowScores = s.baseAddress! + row * m
                for j in 0..<m where rowScores[j] > best[base + j] {
                    best[base + j] = rowScores[j]
                    bestRow[base + j] = Int32(row)
                }
            }
        }
        var matches: [Int64: TileMatch] = [:]
        matches.reserveCapacity(images.count)
        for (slot, image) in images.enumerated() {
            let base = slot * m
            var sum: Float = 0
            var top = 0
            for j in 0..<m {
                sum += best[base + j]
                if best[base + j] > best[base + top] { top = j }
            }
            guard case .tile(_, let rect) = tiles.owners[Int(bestRow[base + top])] else { continue }
            matches[image] = TileMatch(score: sum / Float(m), atlasTile: rect, queryTile: top, pairScore: best[base + top])
        }
        return matches
    }
}
