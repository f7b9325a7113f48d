import AtlasCore
import Foundation
import Imaging

/// A small real image encoder for ingest tests: decodes the file (libpng / libjpeg-turbo) and describes
/// each quadrant by a 4×4×4 RGB histogram; the image vector is the mean of the quadrant vectors.
/// Cheap, deterministic, and it fails on corrupt files exactly like any decoder-backed encoder.
struct ColourHistogramEncoder: ImageEncoder {
    let id = "test-rgb-histogram"
    let dimension = 64
    let weightsHash = "none"

    func embed(imageData: Data, name: String) throws -> ImageEmbedding {
        let image = try ImageCodec.decode(imageData, name: name)
        let hw = max(1, image.width / 2), hh = max(1, image.height / 2)
        var tiles: [TileEmbedding] = []
        for (tx, ty) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let rect = TileRect(x: tx * hw, y: ty * hh, width: min(hw, image.width - tx * hw), height: min(hh, image.height - ty * hh))
            var histogram = [Float](repeating: 0, count: 64)
            for y in rect.y..<rect.y + rect.height {
                for x in rect.x..<rect.x + rect.width {
                    let i = (y * image.width + x) * 3
                    let bin = Int(image.pixels[i] >> 6) * 16 + Int(image.pixels[i + 1] >> 6) * 4 + Int(image.pixels[i + 2] >> 6)
                    histogram[bin] += 1
                }
            }
            tiles.append(TileEmbedding(rect: rect, vector: normalised(histogram)))
        }
        var mean = [Float](repeating: 0, count: 64)
        for t in tiles { for j in 0..<64 { mean[j] += t.vector[j] } }
        return ImageEmbedding(width: image.width, height: image.height, vector: normalised(mean), tiles: tiles)
    }

    private func normalised(_ v: [Float]) -> [Float] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }
}

/// A small real text encoder for ingest tests: hashed bag of words (and CJK characters), L2-normalised.
/// Records every batch it is given, so tests can check batching.
final class HashingTextEncoder: TextEncoder, @unchecked Sendable {
    let id = "test-hashing"
    let dimension = 32
    let weightsHash = "none"
    private let lock = NSLock()
    private var _batches: [[String]] = []
    /// `@unchecked Sendable`: `_batches` is only touched under `lock`.
    var batches: [[String]] { lock.withLock { _batches } }

    func embed(_ texts: [String], role: TextRole) throws -> [[Float]] {
        lock.withLock { _batches.append(texts) }
        return texts.map { text in
            var v = [Float](repeating: 0, count: dimension)
            for token in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                var h: UInt32 = 2_166_136_261
                for b in token.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
                v[Int(h % UInt32(dimension))] += 1
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? v.map { $0 / norm } : v
        }
    }
}

/// Forwards to the real store and counts the entries written: "nothing rewritten" is then observable.
final class CountingWriter: AtlasWriter, @unchecked Sendable {
    let store: any AtlasWriter
    private let lock = NSLock()
    private var _written: [String] = []
    /// `@unchecked Sendable`: `_written` is only touched under `lock`.
    var written: [String] { lock.withLock { _written } }

    init(_ store: any AtlasWriter) { self.store = store }

    func register(encoders: [EncoderRecord]) throws { try store.register(encoders: encoders) }
    func contentHash(ofEntry id: String) throws -> String? { try store.contentHash(ofEntry: id) }
    func write(_ record: IngestRecord) throws {
        try store.write(record)
        lock.withLock { _written.append(record.entry.id) }
    }
    func removeEntry(id: String) throws { try store.removeEntry(id: id) }
}
