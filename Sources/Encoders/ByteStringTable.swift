/// An exact lookup from UTF-8 byte strings to ids (open addressing, FNV-1a).
///
/// Tokenizers must not use `String` keys: Swift compares strings by canonical equivalence, so
/// "e\u{301}" would find the piece "é", while the reference tokenizers compare bytes.
struct ByteStringTable: Sendable {
    private let blob: [UInt8]
    private let offsets: [Int]
    private let ids: [Int32]
    /// Slot → entry index + 1 (0 = empty).
    private let slots: [Int32]
    private let mask: Int

    /// Entries with an empty key are skipped; for a repeated key the last entry wins.
    init(_ entries: [(key: String, id: Int32)]) {
        var blob: [UInt8] = []
        var offsets = [0]
        var ids: [Int32] = []
        for (key, id) in entries {
            blob.append(contentsOf: key.utf8)
            offsets.append(blob.count)
            ids.append(id)
        }
        var size = 1
        while size < max(2 * entries.count, 2) { size <<= 1 }
        var slots = [Int32](repeating: 0, count: size)
        blob.withUnsafeBufferPointer { bytes in
            for index in 0..<ids.count where offsets[index + 1] > offsets[index] {
                let key = UnsafeBufferPointer(rebasing: bytes[offsets[index]..<offsets[index + 1]])
                var slot = Self.hash(key) & (size - 1)
                while slots[slot] != 0 {
                    let other = Int(slots[slot]) - 1
                    if bytes[offsets[other]..<offsets[other + 1]].elementsEqual(key) { break }
                    slot = (slot + 1) & (size - 1)
                }
                slots[slot] = Int32(index + 1)
            }
        }
        self.blob = blob
        self.offsets = offsets
        self.ids = ids
        self.slots = slots
        mask = size - 1
    }

    var count: Int { ids.count }

    func id(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !key.isEmpty else { return nil }
        return blob.withUnsafeBufferPointer { bytes in
            var slot = Self.hash(key) & mask
            while slots[slot] != 0 {
                let index = Int(slots[slot]) - 1
                if offsets[index + 1] - offsets[index] == key.count,
                    bytes[offsets[index]..<offsets[index + 1]].elementsEqual(key)
                {
                    return ids[index]
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    func id(_ key: String) -> Int32? {
        var key = key
        return key.withUTF8 { id($0) }
    }

    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 1_469_598_103_934_665_603
        for byte in key {
            h ^= UInt64(byte)
            h = h &* 1_099_511_628_211
        }
        return Int(truncatingIfNeeded: h)
    }
}
