import AtlasCore
import Foundation
import LinearAlgebra
import Store
import Testing

/// Timings on an index of 100 000 passages × 384-d vectors (the size of a large atlas with
/// MiniLM/E5 vectors). Opt-in: `ATLASQA_BENCHMARK=1 swift test -c release --filter StoreBenchmark`.
@Suite("Store benchmark", .enabled(if: ProcessInfo.processInfo.environment["ATLASQA_BENCHMARK"] != nil))
struct StoreBenchmarkTests {
    @Test("loading and searching 100k × 384 vectors")
    func largeIndex() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let encoder = EncoderRecord(id: "bench-384", modality: .text, dimension: 384, weightsHash: "bench")
        let entries = 1000, passagesPerEntry = 100
        var rng = SeededGenerator(seed: 42)
        var mirror: [[Float]] = []
        mirror.reserveCapacity(entries * passagesPerEntry)

        let writeStart = Date()
        do {
            let writer = try index.open()
            try writer.register(encoders: [encoder])
            for e in 0..<entries {
                // Every tenth entry is Chinese, so the short-CJK-term scan runs over 10 000 passages.
                let passages = (0..<passagesPerEntry).map { p in
                    Passage(
                        entryID: "e\(e)", ordinal: p + 1, heading: nil,
                        text: e % 10 == 0
                            ? "第\(e)条第\(p)段：镜下见肉芽肿\(p % 7 == 0 ? "，伴干酪样坏死" : "")，周围淋巴细胞浸润，组织编号\(e * 7 % 13)。"
                            : "passage \(p) of entry \(e) about tissue number \(e * 7 % 13)"
                    )
                }
                let vectors = passages.map { _ in randomVector(384, using: &rng) }
                mirror += vectors.map { $0.l2Normalized() }
                try writer.write(IngestRecord(
                    entry: Entry(id: "e\(e)", title: "Entry \(e)", source: "bench", passages: passages),
                    contentHash: "h", images: [], passageVectors: [encoder.id: vectors]
                ))
            }
        }
        let writeSeconds = Date().timeIntervalSince(writeStart)

        let store = try index.open(readOnly: true)
        let query = randomVector(384, using: &rng)
        let loadStart = Date()
        try store.loadVectorIndex()
        let loadSeconds = Date().timeIntervalSince(loadStart)

        let searches = 20
        let searchStart = Date()
        var hits: [PassageHit] = []
        for _ in 0..<searches { hits = try store.nearestPassages(to: query, encoder: encoder.id, k: 10) }
        let searchMs = Date().timeIntervalSince(searchStart) * 1000 / Double(searches)

        // The named peer: the same exact search as a plain Swift loop over [[Float]].
        let unit = query.l2Normalized()
        let loopStart = Date()
        var loopScores = [Float](repeating: 0, count: mirror.count)
        for _ in 0..<3 {
            for (i, row) in mirror.enumerated() {
                var s: Float = 0
                for d in 0..<384 { s += row[d] * unit[d] }
                loopScores[i] = s
            }
        }
        let loopMs = Date().timeIntervalSince(loopStart) * 1000 / 3
        let reference = topK(loopScores, k: 10)

        let lexicalStart = Date()
        let lexical = try store.lexicalSearch("tissue number 7 entry", k: 10)
        let lexicalMs = Date().timeIntervalSince(lexicalStart) * 1000
        let chineseStart = Date()
        let chinese = try store.lexicalSearch("坏死的肉芽肿", k: 10)
        let chineseMs = Date().timeIntervalSince(chineseStart) * 1000
        let fileMB = Double((try FileManager.default.attributesOfItem(atPath: index.path)[.size] as? Int) ?? 0) / 1e6

        print("""
            store benchmark: \(entries * passagesPerEntry) passages × 384-d
              write (one transaction per entry of \(passagesPerEntry)): \(String(format: "%.1f", writeSeconds)) s
              load vector index: \(String(format: "%.3f", loadSeconds)) s
              nearestPassages k=10 (sgemv + top-k): \(String(format: "%.2f", searchMs)) ms; Swift loop peer: \(String(format: "%.2f", loopMs)) ms (×\(String(format: "%.1f", loopMs / searchMs)))
              lexicalSearch (4 words, all passages match): \(String(format: "%.1f", lexicalMs)) ms
              lexicalSearch (Chinese, 10 000 Chinese passages scanned for short terms): \(String(format: "%.1f", chineseMs)) ms
              index file: \(String(format: "%.0f", fileMB)) MB
            """)
        #expect(chinese.count == 10)
        #expect(hits.map(\.passageID) == reference.map { "e\($0.index / passagesPerEntry)#\($0.index % passagesPerEntry + 1)" })
        #expect(lexical.count == 10)
        #expect(loadSeconds < 5)
    }
}
