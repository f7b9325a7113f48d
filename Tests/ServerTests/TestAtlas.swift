import AtlasCore
import Encoders
import Foundation
import Illustration
import Imaging
import Ingest
import Store

/// A small atlas made in code (rendered H&E-like images, English and Chinese text), ingested once with
/// the built-in image descriptor and lexical search; each test works on its own copy of the index file.
enum TestAtlas {
    static let morphologies: [Illustration.Morphology] = [.breastDCIS, .colonAdenocarcinoma, .adipose]

    static func text(_ m: Illustration.Morphology) -> String {
        """
        ---
        title: \(m.title)
        organ: \(m.organ)
        source: project-authored test atlas
        images:
          - file: field.png
            caption: rendered \(m.id)
          - file: sub/detail.png
        ---
        ## Microscopic features
        \(m.features)
        ## 镜下特点
        \(m == .adipose ? "脂肪组织由大的空泡状脂肪细胞组成，细胞核被挤到边缘。" : "肿瘤细胞排列成巢状，细胞核增大，染色质粗糙。")
        """
    }

    /// One folder for every index file this test process makes, removed when the process exits (copies
    /// are handed to servers that outlive single tests, so no test can remove its own).
    static let scratch: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-server-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestAtlas.scratch) }
        return folder
    }()

    /// The ingested index, built on first use.
    static let baseIndex: Result<String, any Error> = Result {
        let root = scratch.appendingPathComponent("atlas-\(UUID().uuidString)")
        let renderer = HistologyRenderer()
        for (i, m) in morphologies.enumerated() {
            let folder = root.appendingPathComponent(m.id)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
            try ImageCodec.encodePNG(renderer.render(m, style: .standard, size: 256, seed: UInt64(i + 1)))
                .write(to: folder.appendingPathComponent("field.png"))
            try ImageCodec.encodePNG(renderer.render(m, style: .pinkLight, size: 192, seed: UInt64(i + 11)))
                .write(to: folder.appendingPathComponent("sub/detail.png"))
            try text(m).write(to: folder.appendingPathComponent("entry.md"), atomically: true, encoding: .utf8)
        }
        let path = root.path + ".sqlite"
        do {
            let store = try AtlasStore(path: path)
            let summary = try Ingester(writer: store, imageEncoder: HistologyDescriptor(), textEncoders: [], workers: 2)
                .ingest(atlasAt: root, strict: true, progress: nil)
            guard summary.entries.ingested == morphologies.count else {
                throw AtlasError(.internal, "test atlas: ingested \(summary.entries.ingested) of \(morphologies.count) entries")
            }
        }
        try? FileManager.default.removeItem(at: root)
        return path
    }

    /// A fresh copy of the ingested index (so keys, conversations and audit rows never leak between tests).
    static func freshCopy() throws -> String {
        let source = try baseIndex.get()
        let copy = scratch.appendingPathComponent("\(UUID().uuidString).sqlite").path
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: source + suffix) {
            try FileManager.default.copyItem(atPath: source + suffix, toPath: copy + suffix)
        }
        return copy
    }

    /// A query image: a new render of a morphology (another seed than the atlas's).
    static func queryPNG(_ m: Illustration.Morphology = .breastDCIS, seed: UInt64 = 99) throws -> Data {
        try ImageCodec.encodePNG(HistologyRenderer().render(m, style: .standard, size: 224, seed: seed))
    }
}
