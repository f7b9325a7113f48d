/// Cuts an image into fixed-size tiles at the image's own scale, so a tile shows tissue at the
/// magnification the image was taken at. (Callers add the whole-image view separately.)
///
/// Rule, per axis of length `n` and tile size `t`:
/// - `n <= t`: one span covering the whole axis (a smaller image is a single whole-image tile);
/// - `n > t`: spans start at 0, t, 2t, … and the last one is shifted inward to end exactly at `n`,
///   so every tile is full-size and the tiles cover the image, overlapping only at the far edge.
/// Tiles are the product of the two axes' spans, in row-major order (top to bottom, left to right).
public struct Tiler: Sendable, Hashable {
    public var tileSize: Int

    public init(tileSize: Int = 224) {
        precondition(tileSize > 0, "tile size must be positive")
        self.tileSize = tileSize
    }

    public func tiles(width: Int, height: Int) -> [PixelRect] {
        guard width > 0, height > 0 else { return [] }
        let columns = spans(width)
        return spans(height).flatMap { row in
            columns.map { column in PixelRect(x: column.start, y: row.start, width: column.length, height: row.length) }
        }
    }

    /// Number of tiles `tiles(width:height:)` returns, without building them.
    public func count(width: Int, height: Int) -> Int {
        guard width > 0, height > 0 else { return 0 }
        return spanCount(width) * spanCount(height)
    }

    private func spanCount(_ n: Int) -> Int { n <= tileSize ? 1 : (n + tileSize - 1) / tileSize }

    private func spans(_ n: Int) -> [(start: Int, length: Int)] {
        guard n > tileSize else { return [(0, n)] }
        return (0..<spanCount(n)).map { i in (Swift.min(i * tileSize, n - tileSize), tileSize) }
    }
}
