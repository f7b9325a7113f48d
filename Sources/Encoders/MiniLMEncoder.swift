public import AtlasCore
public import Foundation
import LinearAlgebra

/// all-MiniLM-L6-v2 (English, 384-d) as sentence-transformers runs it: BERT uncased WordPiece with at
/// most 256 tokens, a 6-layer BERT, mean pooling over the tokens, L2 normalisation.
/// Works for any BERT checkpoint laid out the same way (`model.safetensors`, `vocab.txt`, `config.json`,
/// `1_Pooling/config.json`).
public struct MiniLMEncoder: TextEncoder {
    public static let modelID = "all-MiniLM-L6-v2"

    public let id: String
    public let dimension: Int
    public let weightsHash: String
    public let tokenizer: WordPieceTokenizer
    let model: BertModel

    /// Loads the model in `directory`. `weightsHash` is the SHA-256 of `model.safetensors`, computed here
    /// when not given.
    public init(directory: URL, id: String = MiniLMEncoder.modelID, weightsHash: String? = nil) throws(ModelFileError) {
        let config = try BertConfig(contentsOf: directory.appendingPathComponent("config.json"))
        try Self.checkPooling(directory.appendingPathComponent("1_Pooling/config.json"), hidden: config.hiddenSize)
        let tokenizer = try WordPieceTokenizer(
            contentsOf: directory.appendingPathComponent("vocab.txt"), maxLength: min(256, config.maxPositionEmbeddings))
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        let weights = try SafetensorsFile(url: weightsURL)
        let model = try BertModel(config: config, safetensors: weights)
        guard tokenizer.vocabularySize <= config.vocabSize else {
            throw ModelFileError(
                file: directory.appendingPathComponent("vocab.txt").path,
                "\(tokenizer.vocabularySize) tokens but the model has \(config.vocabSize) embeddings")
        }
        self.id = id
        dimension = config.hiddenSize
        self.tokenizer = tokenizer
        self.model = model
        if let weightsHash { self.weightsHash = weightsHash } else { self.weightsHash = try ModelFiles.sha256(of: weightsURL) }
    }

    /// Token ids as the model sees them: `[CLS] … [SEP]`, at most 256.
    public func tokenize(_ text: String) -> [Int32] {
        tokenizer.encode(text)
    }

    /// One unit vector per text; `role` does not matter to this model.
    public func embed(_ texts: [String], role: TextRole) throws -> [[Float]] {
        var vectors = model.meanPooled(texts.map(tokenizer.encode))
        for i in vectors.indices {
            vectors[i].withUnsafeMutableBufferPointer {
                NeuralKernels.l2NormalizeRows($0.baseAddress!, rows: 1, width: dimension)
            }
        }
        return vectors
    }

    /// Only mean pooling is implemented; another pooling mode would silently give other vectors.
    static func checkPooling(_ url: URL, hidden: Int) throws(ModelFileError) {
        struct Pooling: Decodable {
            var word_embedding_dimension: Int
            var pooling_mode_mean_tokens: Bool
            var pooling_mode_cls_token: Bool?
            var pooling_mode_max_tokens: Bool?
        }
        let pooling: Pooling
        do { pooling = try JSONDecoder().decode(Pooling.self, from: Data(contentsOf: url)) } catch {
            throw ModelFileError(file: url.path, "cannot read the pooling config: \(error)")
        }
        guard pooling.pooling_mode_mean_tokens, pooling.pooling_mode_cls_token != true,
            pooling.pooling_mode_max_tokens != true, pooling.word_embedding_dimension == hidden
        else {
            throw ModelFileError(file: url.path, "only mean pooling over \(hidden)-d token vectors is supported")
        }
    }
}
