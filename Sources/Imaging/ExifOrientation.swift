/// The EXIF orientation tag (0x0112) of a JPEG: how the stored pixels must be turned to be shown
/// upright. Browsers and viewers honour it, so we do too; otherwise a tile rectangle we report
/// would point at a different place than the one the user sees.
enum ExifOrientation: Int {
    case upright = 1, mirrored, rotated180, flippedVertically, transposed, rotatedClockwise, transversed,
         rotatedCounterClockwise

    /// True when width and height trade places.
    var swapsSides: Bool { rawValue >= 5 }

    /// Reads the tag from the JPEG's APP1 "Exif" segment; `.upright` when absent or unreadable.
    init(jpeg bytes: UnsafeRawBufferPointer) {
        self = Self.scan(bytes).flatMap(ExifOrientation.init(rawValue:)) ?? .upright
    }

    private static func scan(_ b: UnsafeRawBufferPointer) -> Int? {
        func u16(_ at: Int, _ little: Bool) -> Int? {
            guard at >= 0, at + 2 <= b.count else { return nil }
            return little ? Int(b[at]) | Int(b[at + 1]) << 8 : Int(b[at]) << 8 | Int(b[at + 1])
        }
        func u32(_ at: Int, _ little: Bool) -> Int? {
            guard let hi = u16(little ? at + 2 : at, little), let lo = u16(little ? at : at + 2, little) else { return nil }
            return hi << 16 | lo
        }
        var at = 2  // after SOI
        while at + 4 <= b.count, b[at] == 0xFF {
            let marker = b[at + 1]
            if marker == 0xDA || marker == 0xD9 { return nil }  // image data starts: no EXIF before it
            guard let length = u16(at + 2, false), length >= 2 else { return nil }
            let body = at + 4
            if marker == 0xE1, length >= 16, body + 6 <= b.count,
               b[body..<body + 6].elementsEqual([0x45, 0x78, 0x69, 0x66, 0, 0]) {  // "Exif\0\0"
                let tiff = body + 6
                guard tiff + 8 <= b.count else { return nil }
                let little = b[tiff] == 0x49  // "II" little-endian, "MM" big-endian
                guard let ifd = u32(tiff + 4, little), let count = u16(tiff + ifd, little) else { return nil }
                for entry in 0..<min(count, 512) {
                    let e = tiff + ifd + 2 + entry * 12
                    guard let tag = u16(e, little) else { return nil }
                    if tag == 0x0112 { return u16(e + 8, little) }
                }
                return nil
            }
            at = body + length - 2
        }
        return nil
    }
}

extension RGBImage {
    /// The image as it should be displayed given its EXIF orientation.
    func oriented(_ orientation: ExifOrientation) -> RGBImage {
        guard orientation != .upright else { return self }
        let w = width, h = height
        let outWidth = orientation.swapsSides ? h : w
        let outHeight = orientation.swapsSides ? w : h
        // Source position of output (x', y') = origin + x'·dx + y'·dy, in stored pixel coordinates.
        let (origin, dx, dy): ((Int, Int), (Int, Int), (Int, Int))
        switch orientation {
        case .upright: (origin, dx, dy) = ((0, 0), (1, 0), (0, 1))
        case .mirrored: (origin, dx, dy) = ((w - 1, 0), (-1, 0), (0, 1))
        case .rotated180: (origin, dx, dy) = ((w - 1, h - 1), (-1, 0), (0, -1))
        case .flippedVertically: (origin, dx, dy) = ((0, h - 1), (1, 0), (0, -1))
        case .transposed: (origin, dx, dy) = ((0, 0), (0, 1), (1, 0))
        case .rotatedClockwise: (origin, dx, dy) = ((0, h - 1), (0, -1), (1, 0))
        case .transversed: (origin, dx, dy) = ((w - 1, h - 1), (0, -1), (-1, 0))
        case .rotatedCounterClockwise: (origin, dx, dy) = ((w - 1, 0), (0, 1), (-1, 0))
        }
        let stepX = (dx.1 * w + dx.0) * 3, stepY = (dy.1 * w + dy.0) * 3
        let start = (origin.1 * w + origin.0) * 3
        let pixels = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight * 3) { out, count in
            self.pixels.withUnsafeBufferPointer { src in
                var o = 0
                for y in 0..<outHeight {
                    var s = start + y * stepY
                    for _ in 0..<outWidth {
                        out[o] = src[s]
                        out[o + 1] = src[s + 1]
                        out[o + 2] = src[s + 2]
                        o += 3
                        s += stepX
                    }
                }
            }
            count = outWidth * outHeight * 3
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: pixels)
    }
}
