import ArgumentParser
import Foundation
import Illustration

/// A generated JSON Lines atlas (DESIGN.md's bulk format) for benchmarks and tests: N images
/// cycling through the morphologies, each in its own random stain style and layout.
struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Write DIR/atlas.jsonl and DIR/images/* with N generated illustrations.")

    @Option(help: "Number of images.")
    var count: Int

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Image width and height in pixels.")
    var size = 224

    @Option(help: "Base seed; the same seed gives the same dataset.")
    var seed: UInt64 = 1

    @Option(help: "Image format: jpeg or png.")
    var format = "jpeg"

    @Option(help: "Only these morphologies (repeatable); default all.")
    var morphology: [String] = []

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard ["jpeg", "png"].contains(format) else { throw ValidationError("--format must be jpeg or png") }
        for id in morphology where Morphology(rawValue: id) == nil {
            throw ValidationError("unknown morphology '\(id)'")
        }
    }

    struct Line: Encodable {
        var id: String
        var title: String
        var text: String
        var images: [String]
        var source: String
        var license: String
        var organ: String
        var diagnosis: String
        var tags: [String]
        var morphology: String
        var style: String
    }

    func run() throws {
        let chosen = morphology.isEmpty ? Morphology.allCases : morphology.compactMap(Morphology.init(rawValue:))
        let ext = format == "png" ? "png" : "jpg"
        let jsonlPath = "\(out)/atlas.jsonl"
        try FileManager.default.createDirectory(atPath: "\(out)/images", withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: jsonlPath, contents: nil),
            let handle = FileHandle(forWritingAtPath: jsonlPath)
        else {
            throw ValidationError("writing '\(jsonlPath)': cannot create the file")
        }
        defer { try? handle.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let renderer = HistologyRenderer()
        let started = Date()
        for i in 0..<count {
            let m = chosen[i % chosen.count]
            let imageSeed = seed &* 1_000_003 &+ UInt64(i)
            let style = StainStyle.random(seed: imageSeed)
            let id = String(format: "gen-%06d", i + 1)
            let file = "images/\(id).\(ext)"
            try ImageFile.write(renderer.render(m, style: style, size: size, seed: imageSeed), to: "\(out)/\(file)")
            let line = Line(
                id: id, title: m.title,
                text: "Generated H&E illustration: \(m.title). \(m.features)",
                images: [file], source: "generated", license: "CC0-1.0", organ: m.organ, diagnosis: m.diagnosis,
                tags: [m.rawValue, "generated"], morphology: m.rawValue, style: style.name)
            try handle.write(contentsOf: encoder.encode(line) + Data("\n".utf8))
            if (i + 1) % 500 == 0 || i + 1 == count {
                let rate = Double(i + 1) / max(Date().timeIntervalSince(started), 1e-3)
                FileHandle.standardError.write(Data("\(i + 1)/\(count) images, \(Int(rate)) per second\n".utf8))
            }
        }
    }
}
