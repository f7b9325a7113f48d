// Internals (feature blocks, weights) are reachable only in testable builds: debug, or release with
// `-Xswiftc -enable-testing -Xswiftc -DATLASQA_TUNING` (a separate --scratch-path), where tuning is done.
#if DEBUG || ATLASQA_TUNING
@testable import Encoders
#else
import Encoders
#endif
import AtlasCore
import Foundation
import Imaging
import Testing

/// Dev harness, not a unit test: leave-one-out retrieval accuracy of histo-v1 on a folder of labelled tiles
/// (one sub-folder per class), clean and with re-stained / brightened queries. Runs only when
/// ATLASQA_KATHER_DIR names such a folder (e.g. the Kather 2016 samples); prints the figures.
@Suite struct HistologyKatherEvalTests {
    static let folder = ProcessInfo.processInfo.environment["ATLASQA_KATHER_DIR"]

    struct Sample {
        var label: String
        var name: String
        var image: RGBImage
        /// Crops of one source tile share it; a query never counts its own source's crops as neighbours.
        var source: Int
    }

    /// Query perturbations: H/E strength and hue shifts (as another lab's staining would give), and brightening.
    static let variants: [(name: String, apply: @Sendable (RGBImage) -> RGBImage)] = [
        ("clean", { $0 }),
        ("H0.7E1.3+hue", { StainRestaining(target: StainMatrix.macenkoReference.hueRotated(haematoxylin: 4, eosin: -3), strength: [0.7, 1.3]).apply($0) }),
        ("H1.4E0.75+hue", { StainRestaining(target: StainMatrix.macenkoReference.hueRotated(haematoxylin: -4, eosin: 4), strength: [1.4, 0.75]).apply($0) }),
        ("H1.25E1.25", { StainRestaining(strength: [1.25, 1.25]).apply($0) }),
        ("H0.75E0.8", { StainRestaining(strength: [0.75, 0.8]).apply($0) }),
        ("ruifrok-hue", { StainRestaining(target: StainMatrix.macenkoReference.hueRotated(haematoxylin: 6, eosin: 6)).apply($0) }),
        ("bright+15%", { StainRestaining(brightness: 1.15).apply($0) }),
    ]

    @Test(.enabled(if: folder != nil, "set ATLASQA_KATHER_DIR to run"))
    func leaveOneOutAccuracy() throws {
        let samples = try Self.load(URL(fileURLWithPath: Self.folder!))
        var descriptor = HistologyDescriptor()
        if ProcessInfo.processInfo.environment["ATLASQA_NO_MACENKO"] != nil {
            // Peer: the same features with fixed reference stains (every estimate refused), to show what
            // Macenko normalisation buys.
            descriptor.normalizer.minimumTissueFraction = 2
        }
        print("loaded \(samples.count) tiles, \(Set(samples.map(\.label)).count) classes")
        var fallbacks = 0
        for s in samples {
            if case .reference(let why) = descriptor.normalizer.normalization(s.image).source {
                fallbacks += 1
                print("  fallback \(s.label)/\(s.name): \(why)")
            }
        }
        print("stain estimate fell back on \(fallbacks) of \(samples.count)")

        let start = Date()
        let vectors = Self.variants.map { v in samples.map { descriptor.embed(v.apply($0.image)).vector } }
        print(String(format: "embed: %.1f ms per tile incl. re-staining (this build)", Date().timeIntervalSince(start) * 1000 / Double(samples.count * Self.variants.count)))
        Self.report(samples, vectors)
        #if DEBUG || ATLASQA_TUNING
        try tune(samples, descriptor)
        #endif
    }

    static func report(_ s: [Sample], _ vectors: [[[Float]]]) {
        for (vi, v) in variants.enumerated() {
            let accs = [1, 3, 5].map { balancedAccuracy(s, vectors[0], vectors[vi], k: $0) }
            print(String(format: "  %-16@ top1 %.3f  top3-majority %.3f  top5-majority %.3f", v.name as NSString, accs[0], accs[1], accs[2]))
        }
    }

    #if DEBUG || ATLASQA_TUNING
    /// ATLASQA_ABLATE: each kind of block alone, and each query's nearest neighbour. ATLASQA_TUNE: coordinate
    /// search over block weights (on a handful of tiles this overfits; use it to spot useless blocks, not to set weights).
    func tune(_ samples: [Sample], _ descriptor: HistologyDescriptor) throws {
        let env = ProcessInfo.processInfo.environment
        guard env["ATLASQA_ABLATE"] != nil || env["ATLASQA_TUNE"] != nil || env["ATLASQA_WEIGHTS"] != nil else { return }
        let blocks = Self.variants.map { v in samples.map { Self.blocks(descriptor, v.apply($0.image)) } }
        var weights = HistologyTileFeatures.Weights()
        // ATLASQA_WEIGHTS="stainHistogram=2,lbpHaematoxylin=1.5": try weights without rebuilding.
        for pair in (env["ATLASQA_WEIGHTS"] ?? "").split(separator: ",") {
            let kv = pair.split(separator: "=")
            if kv.count == 2, let kind = HistologyTileFeatures.Kind.allCases.first(where: { "\($0)" == kv[0] }), let v = Float(kv[1]) {
                weights.values[kind.rawValue] = v
            }
        }
        if env["ATLASQA_WEIGHTS"] != nil {
            print("with ATLASQA_WEIGHTS: score \(Self.score(samples, blocks, weights))")
            Self.report(samples, blocks, weights)
        }
        if env["ATLASQA_ABLATE"] != nil {
            for kind in HistologyTileFeatures.Kind.allCases {
                var only = HistologyTileFeatures.Weights()
                only.values = only.values.indices.map { $0 == kind.rawValue ? 1 : 0 }
                print(String(format: "only %@: %.3f", "\(kind)", Self.score(samples, blocks, only)))
            }
            let atlas = blocks[0].map { HistologyTileFeatures.combine($0, weights: weights) }
            for i in samples.indices {
                let best = samples.indices.filter { samples[$0].source != samples[i].source }
                    .max { zip(atlas[i], atlas[$0]).reduce(Float(0)) { $0 + $1.0 * $1.1 } < zip(atlas[i], atlas[$1]).reduce(Float(0)) { $0 + $1.0 * $1.1 } }!
                print("  \(samples[i].label)/\(samples[i].name.prefix(8)) -> \(samples[best].label)/\(samples[best].name.prefix(8))")
            }
        }

        if env["ATLASQA_TUNE"] != nil {
            var best = weights
            var bestScore = Self.score(samples, blocks, best)
            print("start score \(bestScore)")
            for _ in 0..<2 {
                for kind in HistologyTileFeatures.Kind.allCases {
                    for m: Float in [0, 0.25, 0.5, 1, 1.5, 2, 3] {
                        var w = best
                        w.values[kind.rawValue] = m
                        let s = Self.score(samples, blocks, w)
                        if s > bestScore + 1e-6 { bestScore = s; best = w }
                    }
                }
            }
            print("tuned weights (score \(bestScore)): " + HistologyTileFeatures.Kind.allCases.map { "\($0)=\(best[$0])" }.joined(separator: ","))
            Self.report(samples, blocks, best)
        }
    }

    static func blocks(_ d: HistologyDescriptor, _ image: RGBImage) -> [[Float]] {
        let n = d.normalizer.normalization(image)
        let c = n.concentrations
        return HistologyTileFeatures.blocks(haematoxylin: HistoPlane(width: c.width, height: c.height, values: c.haematoxylin),
                                            eosin: HistoPlane(width: c.width, height: c.height, values: c.eosin), strength: n.strength)
    }

    /// Mean over perturbed variants and k = 1, 3, 5 of balanced accuracy, clean counted twice.
    static func score(_ s: [Sample], _ b: [[[[Float]]]], _ w: HistologyTileFeatures.Weights) -> Double {
        let atlas = b[0].map { HistologyTileFeatures.combine($0, weights: w) }
        var total = 0.0, n = 0.0
        for (vi, vb) in b.enumerated() {
            let q = vb.map { HistologyTileFeatures.combine($0, weights: w) }
            for k in [1, 3, 5] {
                total += (vi == 0 ? 2 : 1) * balancedAccuracy(s, atlas, q, k: k)
                n += vi == 0 ? 2 : 1
            }
        }
        return total / n
    }

    static func report(_ s: [Sample], _ b: [[[[Float]]]], _ w: HistologyTileFeatures.Weights) {
        report(s, b.map { $0.map { HistologyTileFeatures.combine($0, weights: w) } })
    }
    #endif

    /// Leave-one-out: query i against every other clean tile; majority label of the top k (ties: the nearer).
    static func balancedAccuracy(_ s: [Sample], _ atlas: [[Float]], _ queries: [[Float]], k: Int) -> Double {
        var correct: [String: Int] = [:], count: [String: Int] = [:]
        for i in s.indices {
            let ranked = s.indices.filter { s[$0].source != s[i].source }
                .map { j in (j, zip(queries[i], atlas[j]).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
                .sorted { $0.1 > $1.1 }
                .prefix(k)
            var votes: [String: (n: Int, firstRank: Int)] = [:]
            for (rank, (j, _)) in ranked.enumerated() {
                let l = s[j].label
                votes[l] = (votes[l]?.n ?? 0) + 1 == 1 ? (1, rank) : ((votes[l]!.n + 1), votes[l]!.firstRank)
            }
            let winner = votes.max { a, b in a.value.n != b.value.n ? a.value.n < b.value.n : a.value.firstRank > b.value.firstRank }!.key
            count[s[i].label, default: 0] += 1
            if winner == s[i].label { correct[s[i].label, default: 0] += 1 }
        }
        let per = count.keys.map { Double(correct[$0] ?? 0) / Double(count[$0]!) }
        return per.reduce(0, +) / Double(per.count)
    }

    static func load(_ root: URL) throws -> [Sample] {
        let fm = FileManager.default
        var out: [Sample] = []
        for cls in try fm.contentsOfDirectory(atPath: root.path).sorted() {
            let dir = root.appendingPathComponent(cls)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else { continue }
            for f in try fm.contentsOfDirectory(atPath: dir.path).sorted() {
                let data = try Data(contentsOf: dir.appendingPathComponent(f))
                let image = f.hasSuffix(".ppm") ? try readPPM(data, name: f) : try ImageCodec.decode(data, name: f)
                let source = out.last.map { $0.source + 1 } ?? 0
                if ProcessInfo.processInfo.environment["ATLASQA_CROPS"] != nil {
                    // Four overlapping corner crops of 2/3 size: more queries, and more same-class neighbours.
                    let w = image.width * 2 / 3, h = image.height * 2 / 3
                    for (x, y) in [(0, 0), (image.width - w, 0), (0, image.height - h), (image.width - w, image.height - h)] {
                        out.append(Sample(label: cls, name: f, image: image.cropped(PixelRect(x: x, y: y, width: w, height: h)), source: source))
                    }
                } else {
                    out.append(Sample(label: cls, name: f, image: image, source: source))
                }
            }
        }
        return out
    }

    /// Binary PPM (P6, maxval 255), for folders converted by hand.
    static func readPPM(_ data: Data, name: String) throws -> RGBImage {
        let bytes = [UInt8](data)
        var fields: [String] = [], i = 0
        while fields.count < 4 {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
            var t = ""
            while i < bytes.count, !(bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09) {
                t.append(Character(UnicodeScalar(bytes[i]))); i += 1
            }
            fields.append(t)
        }
        i += 1
        guard fields[0] == "P6", let w = Int(fields[1]), let h = Int(fields[2]), bytes.count - i >= w * h * 3 else {
            throw ImageError(.corrupt, "reading PPM '\(name)': bad header")
        }
        return RGBImage(width: w, height: h, pixels: Array(bytes[i..<(i + w * h * 3)]))
    }
}
