import Foundation

/// The on-disk form of a vector: `dim` float32 values, little-endian, no header (the row has `dim`).
enum VectorBlob {
    static func encode(_ vector: [Float]) -> Data {
        #if _endian(big)
        let values = vector.map { Float(bitPattern: $0.bitPattern.littleEndian) }
        #else
        let values = vector
        #endif
        return values.withUnsafeBytes { Data($0) }
    }

    /// Copies a blob of `destination.count` floats into `destination` (a row of the in-memory matrix).
    /// Returns false, copying nothing, when the blob has the wrong size.
    static func decode(_ blob: Data, into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        blob.withUnsafeBytes { decode($0, into: destination) }
    }

    /// The same, from bytes in place (an SQLite column).
    static func decode(_ blob: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        guard blob.count == destination.count * MemoryLayout<Float>.size else { return false }
        guard let source = blob.baseAddress, let target = destination.baseAddress else { return true } // both empty
        UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: blob.count)
        #if _endian(big)
        for i in destination.indices {
            destination[i] = Float(bitPattern: UInt32(littleEndian: destination[i].bitPattern))
        }
        #endif
        return true
    }

    static func decode(_ blob: Data) -> [Float]? {
        let count = blob.count / MemoryLayout<Float>.size
        guard count * MemoryLayout<Float>.size == blob.count else { return nil }
        var values = [Float](repeating: 0, count: count)
        let ok = values.withUnsafeMutableBufferPointer { decode(blob, into: $0) }
        return ok ? values : nil
    }
}
