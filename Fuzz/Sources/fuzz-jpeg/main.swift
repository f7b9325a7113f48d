import FuzzDriver
import Foundation
import Imaging

// A small pixel budget keeps each input fast; the budget check itself is part of what is fuzzed.
let limits = ImageLimits(maxPixels: 4_000_000, maxSide: 8_192)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(buffer: fuzzInput(data, size))
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
