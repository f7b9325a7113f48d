import Foundation

/// A `.safetensors` checkpoint, memory-mapped: an 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}}`, then the raw tensor bytes.
/// Every tensor's extent is checked against the file at open, so a truncated file fails here,
/// naming the file, rather than later with garbage weights.
struct SafetensorsFile: Sendable {
    struct TensorInfo: Sendable, Decodable {
        var dtype: String
        var shape: [Int]
        var dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    let file: MappedFile
    let tensors: [String: TensorInfo]
    /// Offset of the data section (after the header).
    private let dataStart: Int

    init(url: URL) throws(ModelFileError) {
        file = try MappedFile(url)
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw ModelFileError(file: file.name, "truncated: \(bytes.count) bytes, no safetensors header")
        }
        let headerLength = Int(clamping: UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self)))
        guard headerLength > 1, headerLength <= bytes.count - 8 else {
            throw ModelFileError(
                file: file.name,
                "not a safetensors file or truncated: header length \(headerLength) but file has \(bytes.count) bytes")
        }
        dataStart = 8 + headerLength
        let header = Data(bytes[8..<dataStart])
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: header) as? [String: Any] else {
                throw ModelFileError(file: file.name, "safetensors header is not a JSON object")
            }
            object = parsed
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw ModelFileError(file: file.name, "safetensors header is not valid JSON (\(error))")
        }
        var tensors: [String: TensorInfo] = [:]
        let dataLength = bytes.count - dataStart
        for (name, value) in object where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                offsets.count == 2
            else {
                throw ModelFileError(file: file.name, "tensor '\(name)': malformed header entry")
            }
            let info = TensorInfo(dtype: dtype, shape: shape, dataOffsets: offsets)
            guard let size = Self.elementSize(dtype) else {
                throw ModelFileError(file: file.name, "tensor '\(name)': unsupported dtype \(dtype)")
            }
            // Overflow-checked: a corrupt header must not trap.
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: max(d, 0))
                count = overflow ? Int.max / 16 : product
            }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1],
                count < Int.max / 16, offsets[1] - offsets[0] == count * size
            else {
                throw ModelFileError(
                    file: file.name,
                    "tensor '\(name)': shape \(shape) of \(dtype) needs \(count * size) bytes, header gives \(offsets)")
            }
            guard offsets[1] <= dataLength else {
                throw ModelFileError(
                    file: file.name,
                    "truncated: tensor '\(name)' ends at byte \(offsets[1]) of the data section, which has \(dataLength)")
            }
            tensors[name] = info
        }
        self.tensors = tensors
    }

    static func elementSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F32", "I32", "U32": 4
        case "F16", "BF16", "I16": 2
        case "F64", "I64": 8
        case "U8", "I8", "BOOL": 1
        default: nil
        }
    }

    /// The tensor as Float32, checking its shape; F16 and BF16 are widened.
    func floats(_ name: String, shape expected: [Int]) throws(ModelFileError) -> [Float] {
        guard let info = tensors[name] else {
            throw ModelFileError(file: file.name, "tensor '\(name)' is missing")
        }
        guard info.shape == expected else {
            throw ModelFileError(file: file.name, "tensor '\(name)' has shape \(info.shape), the config needs \(expected)")
        }
        let count = expected.reduce(1, *)
        let start = dataStart + info.dataOffsets[0]
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[start..<(dataStart + info.dataOffsets[1])])
        var out = [Float](repeating: 0, count: count)
        switch info.dtype {
        case "F32":
            out.withUnsafeMutableBytes { $0.copyMemory(from: raw) }
            #if _endian(big)
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
            #endif
        case "F16":
            for i in 0..<count {
                out[i] = Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        case "BF16":
            for i in 0..<count {
                let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                out[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        default:
            throw ModelFileError(file: file.name, "tensor '\(name)' is \(info.dtype), expected a float type")
        }
        for value in out where !value.isFinite {
            throw ModelFileError(file: file.name, "tensor '\(name)' holds a non-finite value (corrupt weights)")
        }
        return out
    }
}
