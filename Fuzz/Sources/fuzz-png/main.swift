import FuzzDriver
import Foundation
import Imaging

// A small pixel budget keeps each input fast; the budget check itself is part of what is fuzzed.
let limits = ImageLimits(maxPixels: 4_000_000, maxSide: 8_192)

/// Recomputes every chunk's CRC: libpng refuses a chunk whose CRC is wrong, so without this almost every
/// mutation would stop at the first checksum and never reach the row decoding and our conversion to RGB.
func withFixedCRCs(_ input: Data) -> Data {
    var bytes = [UInt8](input)
    var at = 8
    while at + 12 <= bytes.count {
        let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        guard length <= bytes.count - at - 12 else { break }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes[(at + 4)..<(at + 8 + length)] {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc = ~crc
        for k in 0..<4 { bytes[at + 8 + length + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * k)) }
        at += 12 + length
    }
    return Data(bytes)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = withFixedCRCs(Data(buffer: fuzzInput(data, size)))
    // Whatever the bytes, decoding returns an image of the header's size or throws ImageError; it never traps.
    if let image = try? ImageCodec.decode(bytes, name: "fuzz", limits: limits) {
        precondition(image.pixels.count == image.width * image.height * 3, "pixel buffer does not match the size")
    }
    // The reduced-size path (JPEG DCT scaling, PNG decode-then-shrink) and the header probe.
    if let small = try? ImageCodec.decode(bytes, name: "fuzz", limits: limits, maxSide: 64) {
        precondition(max(small.width, small.height) <= 64, "reduced decode is larger than asked")
    }
    _ = ImageCodec.probe(bytes)
    return 0
}

runFuzzer(fuzzImage)
