import AtlasCore
import Encoders
import Foundation
import Illustration
import Imaging
import Testing

/// Fresh renders in stain styles the atlas never uses find their own entry through histo-v1:
/// the renderer's morphologies differ in structure, not only in colour. About four minutes in a
/// debug build (histo-v1 on 120 images), so it runs when ATLASQA_ILLUSTRATION_EVAL is set.
@Suite struct IllustrationRetrievalTests {
    static let enabled = ProcessInfo.processInfo.environment["ATLASQA_ILLUSTRATION_EVAL"] != nil

    let renderer = HistologyRenderer()
    let descriptor = HistologyDescriptor()

    func cosine(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }

    @Test(.enabled(if: enabled, "set ATLASQA_ILLUSTRATION_EVAL=1 to run"))
    func unseenStyleRendersRetrieveTheirEntry() throws {
        // The bundled atlas: two images per entry, as render-atlas writes them (the second through JPEG).
        var atlas: [(Illustration.Morphology, [Float])] = []
        for m in Illustration.Morphology.allCases {
            atlas.append((m, descriptor.embed(renderer.render(m, style: .pinkLight, size: 256, seed: 1)).vector))
            let jpeg = try ImageCodec.encodeJPEG(renderer.render(m, style: .blueDark, size: 256, seed: 2), quality: 88)
            atlas.append((m, descriptor.embed(try ImageCodec.decode(jpeg, name: "atlas.jpg")).vector))
        }
        var hits = 0, total = 0
        var misses: [String] = []
        for (n, style) in StainStyle.unseenStyles.enumerated() {
            for m in Illustration.Morphology.allCases {
                let query = descriptor.embed(renderer.render(m, style: style, size: 224, seed: 100 + UInt64(n))).vector
                let best = atlas.max { cosine($0.1, query) < cosine($1.1, query) }!
                total += 1
                if best.0 == m { hits += 1 } else { misses.append("\(m.rawValue)→\(best.0.rawValue) [\(style.name)]") }
            }
        }
        print("illustration retrieval: \(hits)/\(total) top-1; misses: \(misses.joined(separator: ", "))")
        #expect(Double(hits) / Double(total) >= 0.8, "misses: \(misses)")
    }
}
