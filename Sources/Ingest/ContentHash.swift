import AtlasCore
import Foundation

/// The content hash of an entry: SHA-256 over a canonical serialisation of everything that shapes what
/// is stored — its fields, passages, image bytes, and the encoders that would embed them. Equal hash,
/// nothing to redo; any change (a caption, a pixel, a new encoder's weights) gives a new hash.
///
/// Each value is written as a tag, its byte length and its bytes, so no two different entries serialise alike.
enum ContentHash {
    static let version = "atlasqa-entry-v1"

    static func of(entry: Entry, imageData: [Data], encoders: [EncoderRecord]) -> String {
        var w = CanonicalWriter()
        w.field("format", version)
        w.field("id", entry.id)
        w.field("title", entry.title)
        w.field("organ", entry.organ)
        w.field("diagnosis", entry.diagnosis)
        w.list("tags", entry.tags)
        w.field("stain", entry.stain)
        w.field("source", entry.source)
        w.field("license", entry.license)
        let keys = entry.metadata.keys.sorted()
        w.count("metadata", keys.count)
        for key in keys {
            w.field("key", key)
            w.field("value", entry.metadata[key])
        }
        w.count("passages", entry.passages.count)
        for p in entry.passages {
            w.field("passage", p.id)
            w.field("heading", p.heading)
            w.field("text", p.text)
            w.field("language", p.language.rawValue)
        }
        w.count("images", entry.images.count)
        for (image, data) in zip(entry.images, imageData) {
            w.field("file", image.file)
            w.field("caption", image.caption)
            w.bytes("data", data)
        }
        let sorted = encoders.sorted { ($0.modality.rawValue, $0.id) < ($1.modality.rawValue, $1.id) }
        w.count("encoders", sorted.count)
        for e in sorted {
            w.field("encoder", e.id)
            w.field("modality", e.modality.rawValue)
            w.field("dimension", String(e.dimension))
            w.field("weights", e.weightsHash)
        }
        return SHA256.hex(w.hasher.finalize())
    }
}

/// Tag–length–value writer feeding a SHA-256.
struct CanonicalWriter {
    var hasher = SHA256()

    mutating func field(_ tag: String, _ value: String?) {
        header(tag)
        guard let value else {
            hasher.update(CollectionOfOne(UInt8(0)))
            return
        }
        hasher.update(CollectionOfOne(UInt8(1)))
        length(value.utf8.count)
        hasher.update(value.utf8)
    }

    mutating func list(_ tag: String, _ values: [String]) {
        count(tag, values.count)
        for v in values { field("item", v) }
    }

    mutating func count(_ tag: String, _ n: Int) {
        header(tag)
        length(n)
    }

    mutating func bytes(_ tag: String, _ data: Data) {
        header(tag)
        length(data.count)
        hasher.update(data)
    }

    private mutating func header(_ tag: String) {
        length(tag.utf8.count)
        hasher.update(tag.utf8)
    }

    private mutating func length(_ n: Int) {
        var v = UInt64(n).littleEndian
        withUnsafeBytes(of: &v) { hasher.update($0) }
    }
}
