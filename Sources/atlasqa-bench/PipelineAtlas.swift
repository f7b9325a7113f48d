import Dispatch
import Foundation
import Illustration
import Imaging

/// A generated JSON Lines atlas for the pipeline benchmarks: N entries of one 224-px illustration and a
/// short teaching passage each, cycling through the morphologies in random stain styles (the same recipe
/// as `render-atlas dataset`, drawn here through the Illustration module on every core).
struct PipelineAtlas {
    var count: Int
    var size = 224
    var seed: UInt64 = 1

    struct Line: Encodable {
        var id: String
        var title: String
        var passages: [Passage]
        var images: [String]
        var source = "generated"
        var license = "CC0-1.0"
        var organ: String
        var diagnosis: String
        var tags: [String]
    }

    struct Passage: Encodable {
        var heading: String
        var text: String
    }

    /// Writes `folder/atlas.jsonl` and `folder/images/*.jpg`; returns the .jsonl file.
    func write(to folder: URL) throws -> URL {
        let images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let renderer = HistologyRenderer()
        let morphologies = Illustration.Morphology.allCases
        let failures = FailureBox()
        let threads = ProcessInfo.processInfo.activeProcessorCount
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for i in stride(from: worker, to: count, by: threads) {
                let m = morphologies[i % morphologies.count]
                let imageSeed = seed &* 1_000_003 &+ UInt64(i)
                let image = renderer.render(m, style: StainStyle.random(seed: imageSeed), size: size, seed: imageSeed)
                do {
                    try ImageCodec.encodeJPEG(image, quality: 88).write(to: images.appendingPathComponent(Self.fileName(i)))
                } catch {
                    failures.record("writing image \(i): \(error)")
                }
            }
        }
        if let failure = failures.first { throw BenchError(failure) }

        var jsonl = Data()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for i in 0..<count {
            let m = morphologies[i % morphologies.count]
            let line = Line(
                id: Self.entryID(i), title: m.title,
                passages: [Passage(heading: "Microscopic features", text: "\(m.features) Case \(i + 1) of the generated atlas.")],
                images: ["images/\(Self.fileName(i))"], organ: m.organ, diagnosis: m.diagnosis, tags: [m.rawValue, "generated"])
            jsonl += try encoder.encode(line) + Data("\n".utf8)
        }
        let url = folder.appendingPathComponent("atlas.jsonl")
        try jsonl.write(to: url)
        return url
    }

    static func entryID(_ i: Int) -> String { String(format: "gen-%06d", i + 1) }
    static func fileName(_ i: Int) -> String { String(format: "gen-%06d.jpg", i + 1) }
}

/// The first error of several threads. `@unchecked Sendable`: `messages` is only touched under `lock`.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func record(_ message: String) { lock.withLock { messages.append(message) } }
    var first: String? { lock.withLock { messages.first } }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
