public import Foundation

/// The parts of a Hugging Face BERT `config.json` the encoder uses; keys keep their Hugging Face names.
public struct BertConfig: Codable, Sendable, Hashable {
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var layerNormEps: Float
    public var maxPositionEmbeddings: Int
    public var vocabSize: Int
    public var typeVocabSize: Int
    public var hiddenAct: String

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case layerNormEps = "layer_norm_eps"
        case maxPositionEmbeddings = "max_position_embeddings"
        case vocabSize = "vocab_size"
        case typeVocabSize = "type_vocab_size"
        case hiddenAct = "hidden_act"
    }

    public init(
        hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int, intermediateSize: Int,
        layerNormEps: Float, maxPositionEmbeddings: Int, vocabSize: Int, typeVocabSize: Int,
        hiddenAct: String = "gelu"
    ) {
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.layerNormEps = layerNormEps
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.vocabSize = vocabSize
        self.typeVocabSize = typeVocabSize
        self.hiddenAct = hiddenAct
    }

    /// Reads and checks `config.json`; errors name the file.
    public init(contentsOf url: URL) throws(ModelFileError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelFileError(file: url.path, "cannot read: \(error.localizedDescription)")
        }
        do { self = try JSONDecoder().decode(BertConfig.self, from: data) } catch {
            throw ModelFileError(file: url.path, "not a BERT config: \(error)")
        }
        try validate(file: url.path)
    }

    func validate(file: String) throws(ModelFileError) {
        guard hiddenSize > 0, numHiddenLayers > 0, numAttentionHeads > 0, hiddenSize % numAttentionHeads == 0,
            intermediateSize > 0, maxPositionEmbeddings > 2, vocabSize > 0, typeVocabSize > 0
        else {
            throw ModelFileError(file: file, "inconsistent BERT dimensions \(self)")
        }
        // Only the exact (erf) GELU is implemented; the tanh approximation would silently change outputs.
        guard hiddenAct == "gelu" else {
            throw ModelFileError(file: file, "hidden_act '\(hiddenAct)' is not supported (only 'gelu', the erf form)")
        }
    }
}
