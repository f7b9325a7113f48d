import Foundation
import Imaging

// Writes the image seeds of Corpus/ (small PNGs of every colour type and depth, JPEGs of every kind the
// writer makes). Run once by hand: `swift run --build-path .build-seeds fuzz-seeds Corpus`; the text seeds
// are written by hand.
let corpus = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Corpus")
let width = 7, height = 5

func write(_ data: Data, _ folder: String, _ name: String) throws {
    let dir = corpus.appendingPathComponent(folder)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try data.write(to: dir.appendingPathComponent(name))
}

let depths: [(PNGWriter.ColourType, [Int])] = [
    (.grey, [1, 2, 4, 8, 16]), (.rgb, [8, 16]), (.palette, [1, 2, 4, 8]), (.greyAlpha, [8, 16]), (.rgba, [8, 16]),
]
for (type, bits) in depths {
    for depth in bits {
        for interlaced in [false, true] {
            let maxSample = (1 << depth) - 1
            let paletteSize = min(maxSample + 1, 256)
            var palette: [UInt8] = []
            if type == .palette {
                for i in 0..<paletteSize {
                    let r = i * 37 % 256, g = 255 - i * 11 % 256, b = i * 101 % 256
                    palette += [UInt8(r), UInt8(g), UInt8(b)]
                }
            }
            let alpha: [UInt8] = type == .palette ? [0, 128] : []
            let trns: [UInt16]? = depth == 8 && (type == .grey || type == .rgb) ? Array(repeating: 3, count: type.channels) : nil
            let samples: [UInt16] = (0..<(width * height * type.channels)).map { (i: Int) -> UInt16 in
                UInt16(i * 40_503 % (maxSample + 1))
            }
            let writer = PNGWriter(colourType: type, bitDepth: depth, interlaced: interlaced, palette: palette, paletteAlpha: alpha, transparentColour: trns)
            try write(try writer.write(width: width, height: height, samples: samples), "fuzz-png", "\(type)-\(depth)\(interlaced ? "-adam7" : "").png")
        }
    }
}

var pixels = [UInt8](repeating: 0, count: 16 * 12 * 3)
for i in pixels.indices { pixels[i] = UInt8((i * 29 + i / 48 * 7) % 256) }
let image = RGBImage(width: 16, height: 12, pixels: pixels)
for chroma in [JPEGWriter.Chroma.full, .half, .grey, .cmyk] {
    for progressive in [false, true] {
        let data = try JPEGWriter(quality: 60, chroma: chroma, progressive: progressive).write(image)
        try write(data, "fuzz-jpeg", "\(chroma)\(progressive ? "-progressive" : "").jpg")
    }
}
