import Foundation
import Illustration
import Imaging

/// The benchmark's questions: a fresh 224-px illustration (a seed and stain style no atlas image has)
/// with a question in English or Chinese, specific or generic, as users ask them.
struct PipelineQuery: Sendable {
    var image: Data
    var question: String
    /// The title of the morphology the image shows: the top reference should have it.
    var title: String
}

enum PipelineQueries {
    static func make(count: Int) throws -> [PipelineQuery] {
        let renderer = HistologyRenderer()
        let morphologies = Illustration.Morphology.allCases
        return try (0..<count).map { i in
            let m = morphologies[(i * 7) % morphologies.count]
            let seed = 0xA5A5_0000 &+ UInt64(i)
            let image = renderer.render(m, style: StainStyle.random(seed: seed), size: 224, seed: seed)
            let questions = [
                "What are the histological features of \(m.title.lowercased())?",
                "What does this image show?",
                "这张图片显示的是什么组织？",
                "Is this consistent with \(m.diagnosis.lowercased())?",
            ]
            return PipelineQuery(image: try ImageCodec.encodePNG(image), question: questions[i % questions.count], title: m.title)
        }
    }
}
