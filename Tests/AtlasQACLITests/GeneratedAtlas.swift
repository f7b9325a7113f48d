import Foundation
import Illustration
import Imaging

/// A small folder atlas written by the tests: six entries, each with a PNG and a JPEG rendered in the atlas's
/// two stain styles, two English passages and one Chinese passage.
struct GeneratedAtlas {
    let folder: URL
    let database: URL
    let scratch: URL

    static let entries: [(Illustration.Morphology, chinese: String)] = [
        (.colonAdenocarcinoma, "腺体不规则、背靠背排列，可见筛状结构及管腔内污秽坏死，细胞核大而多形。"),
        (.adipose, "成熟脂肪细胞呈大的空泡状，细胞膜薄，细胞核被挤压至边缘，几乎无间质。"),
        (.lymphoidAggregate, "小而圆的深染淋巴细胞密集排列，可见生发中心，胞质稀少。"),
        (.smoothMuscle, "平滑肌呈束状排列，胞质嗜酸性，细胞核呈雪茄样两端钝圆。"),
        (.breastDCIS, "导管扩张，充满单一形态的异型细胞，中央可见粉刺样坏死，肌上皮层保留。"),
        (.mucin, "细胞外黏液呈淡蓝灰色湖状，内含少量漂浮的细胞。"),
    ]

    /// Builds the atlas once per test process and ingests it; tests share it read-only.
    static let shared: Result<GeneratedAtlas, any Error> = Result { try GeneratedAtlas.make() }

    /// `shared` for async tests: built (once) off Swift's cooperative threads, where building it would stall
    /// every other async test in the process for seconds.
    static func sharedOffPool() async throws -> GeneratedAtlas {
        try await onDispatchThread { try shared.get() }
    }

    static func make() throws -> GeneratedAtlas {
        let scratch = try CLI.temporaryDirectory("generated")
        let folder = scratch.appendingPathComponent("atlas")
        try write(to: folder)
        let database = scratch.appendingPathComponent("atlas.sqlite")
        let ingest = try CLI.atlasqa(["ingest", folder.path, "--db", database.path, "--json"])
        guard ingest.status == 0 else { throw CLIError("ingest failed (\(ingest.status)): \(ingest.stderr)") }
        return GeneratedAtlas(folder: folder, database: database, scratch: scratch)
    }

    static func write(to folder: URL) throws {
        let renderer = HistologyRenderer()
        for (index, (morphology, chinese)) in entries.enumerated() {
            let dir = folder.appendingPathComponent(morphology.id)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let png = renderer.render(morphology, style: .pinkLight, size: 224, seed: UInt64(100 + index))
            let jpeg = renderer.render(morphology, style: .blueDark, size: 224, seed: UInt64(200 + index))
            try ImageCodec.encodePNG(png).write(to: dir.appendingPathComponent("a.png"))
            try ImageCodec.encodeJPEG(jpeg, quality: 90).write(to: dir.appendingPathComponent("b.jpg"))
            let markdown = """
                ---
                title: \(morphology.title)
                organ: \(morphology.organ)
                diagnosis: \(morphology.diagnosis)
                source: "AtlasQA tests (generated)"
                license: CC0-1.0
                images:
                  - file: a.png
                    caption: Rendered illustration, pink style
                  - file: b.jpg
                    caption: Rendered illustration, blue style
                ---
                ## Microscopic features
                \(morphology.features)

                ## Differential diagnosis
                \(morphology.title) is told apart from its mimics by the pattern above; compare the nuclei, the architecture and the stroma.

                ## 镜下特点
                \(chinese)

                """
            try markdown.write(to: dir.appendingPathComponent("entry.md"), atomically: true, encoding: .utf8)
        }
    }

    /// A fresh rendering of `morphology` in a stain style the atlas does not use.
    func queryImage(_ morphology: Illustration.Morphology, seed: UInt64 = 9_001, style: StainStyle = .purpleFaded) throws -> URL {
        let url = scratch.appendingPathComponent("query-\(morphology.id)-\(seed)-\(style.name).png")
        let image = HistologyRenderer().render(morphology, style: style, size: 224, seed: seed)
        try ImageCodec.encodePNG(image).write(to: url)
        return url
    }
}
