import AtlasCore
import Foundation
import Testing
@testable import Ingest

@Suite struct ContentHashTests {
    let encoders = [EncoderRecord(id: "histo-v1", modality: .image, dimension: 8, weightsHash: "none")]

    func entry(caption: String? = "c", text: String = "Text.", metadata: [String: String] = ["a": "1", "b": "2"]) -> Entry {
        Entry(
            id: "e", title: "T", source: "s", metadata: metadata,
            passages: [Passage(entryID: "e", ordinal: 1, heading: "H", text: text)],
            images: [AtlasImage(file: "x.png", caption: caption)]
        )
    }

    @Test func sameContentSameHashAnyChangeNewHash() {
        let data = [Data([1, 2, 3])]
        let base = ContentHash.of(entry: entry(), imageData: data, encoders: encoders)
        #expect(base.count == 64)
        #expect(ContentHash.of(entry: entry(), imageData: data, encoders: encoders) == base)
        #expect(ContentHash.of(entry: entry(caption: "d"), imageData: data, encoders: encoders) != base)
        #expect(ContentHash.of(entry: entry(caption: nil), imageData: data, encoders: encoders) != base)
        #expect(ContentHash.of(entry: entry(text: "Text!"), imageData: data, encoders: encoders) != base)
        #expect(ContentHash.of(entry: entry(), imageData: [Data([1, 2, 4])], encoders: encoders) != base)
        var other = encoders
        other[0].weightsHash = "changed"
        #expect(ContentHash.of(entry: entry(), imageData: data, encoders: other) != base)
        #expect(ContentHash.of(entry: entry(metadata: ["a": "1"]), imageData: data, encoders: encoders) != base)
    }

    /// "ab" + "c" must not collide with "a" + "bc": fields are length-prefixed.
    @Test func fieldBoundariesMatter() {
        var e1 = entry()
        e1.title = "ab"
        e1.source = "c"
        var e2 = entry()
        e2.title = "a"
        e2.source = "bc"
        #expect(ContentHash.of(entry: e1, imageData: [Data()], encoders: encoders) != ContentHash.of(entry: e2, imageData: [Data()], encoders: encoders))
    }
}
