import AtlasCore
import Foundation
import Store

/// A fresh index file in its own temporary folder. Tests call `remove()` in a `defer`, which also keeps
/// the folder alive (and the SQLite files in it) until the test's last use of the store.
final class TemporaryIndex {
    let folder: URL
    var path: String { folder.appendingPathComponent("atlas.sqlite").path }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func open(readOnly: Bool = false) throws -> AtlasStore {
        try AtlasStore(path: path, readOnly: readOnly)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

let textEncoder = EncoderRecord(id: "test-text", modality: .text, dimension: 8, weightsHash: "aaaa")
let imageEncoder = EncoderRecord(id: "test-image", modality: .image, dimension: 6, weightsHash: "bbbb")

/// Deterministic pseudo-random numbers (SplitMix64), so a failing test fails the same way every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomVector(_ dimension: Int, using rng: inout SeededGenerator) -> [Float] {
    (0..<dimension).map { _ in Float.random(in: -1...1, using: &rng) }
}

/// An entry with the given passage texts, and (optionally) images with a whole-image vector and tiles.
func makeRecord(
    id: String, title: String? = nil, texts: [String], imageFiles: [String] = [], tilesPerImage: Int = 3,
    hash: String = "hash-1", rng: inout SeededGenerator
) -> IngestRecord {
    let passages = texts.enumerated().map { i, text in
        Passage(entryID: id, ordinal: i + 1, heading: i == 0 ? "Overview" : nil, text: text)
    }
    let entry = Entry(
        id: id, title: title ?? "Title of \(id)", organ: "breast", diagnosis: "Diagnosis \(id)", tags: ["t1", "t2"],
        stain: "H&E", source: "project-authored", license: "CC-BY-4.0", metadata: ["magnification": "\"20x\""],
        passages: passages, images: imageFiles.map { AtlasImage(file: $0, caption: "Caption of \($0)") }
    )
    let images = imageFiles.map { file in
        let tiles = (0..<tilesPerImage).map { t in
            TileEmbedding(rect: TileRect(x: 64 * t, y: 0, width: 64, height: 64), vector: randomVector(imageEncoder.dimension, using: &rng))
        }
        let embedding = ImageEmbedding(width: 256, height: 64, vector: randomVector(imageEncoder.dimension, using: &rng), tiles: tiles)
        return IngestRecord.Image(
            image: AtlasImage(file: file, caption: "Caption of \(file)"), data: Data("bytes of \(id)/\(file)".utf8),
            embeddings: [imageEncoder.id: embedding]
        )
    }
    let vectors = passages.map { _ in randomVector(textEncoder.dimension, using: &rng) }
    return IngestRecord(entry: entry, contentHash: hash, images: images, passageVectors: [textEncoder.id: vectors])
}

/// A store with both test encoders registered.
func openRegistered(_ index: TemporaryIndex) throws -> AtlasStore {
    let store = try index.open()
    try store.register(encoders: [textEncoder, imageEncoder])
    return store
}
