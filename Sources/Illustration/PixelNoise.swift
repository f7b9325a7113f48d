import Foundation

/// Hash-based noise: white grain per pixel and smooth value noise, with no stored tables.
enum PixelNoise {
    @inline(__always)
    static func hash(_ x: Int32, _ y: Int32, _ seed: UInt32) -> UInt32 {
        var h = UInt32(bitPattern: x) &* 0x27D4_EB2D
        h ^= UInt32(bitPattern: y) &* 0x1656_67B1
        h ^= seed &* 0x9E37_79B1
        h ^= h >> 15
        h = h &* 0x85EB_CA6B
        h ^= h >> 13
        h = h &* 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    /// Uniform in [0, 1).
    @inline(__always)
    static func unit(_ x: Int32, _ y: Int32, _ seed: UInt32) -> Float {
        Float(hash(x, y, seed) >> 8) / Float(1 << 24)
    }

    /// Uniform in [-1, 1).
    @inline(__always)
    static func signed(_ x: Int, _ y: Int, _ seed: UInt32) -> Float {
        unit(Int32(truncatingIfNeeded: x), Int32(truncatingIfNeeded: y), seed) * 2 - 1
    }

    /// Smoothly interpolated lattice noise in [0, 1].
    @inline(__always)
    static func value(_ u: Float, _ v: Float, _ seed: UInt32) -> Float {
        let fu = u.rounded(.down), fv = v.rounded(.down)
        let i = Int32(fu), j = Int32(fv)
        var tu = u - fu, tv = v - fv
        tu = tu * tu * (3 - 2 * tu)
        tv = tv * tv * (3 - 2 * tv)
        let a = unit(i, j, seed), b = unit(i + 1, j, seed)
        let c = unit(i, j + 1, seed), d = unit(i + 1, j + 1, seed)
        let top = a + (b - a) * tu
        let bottom = c + (d - c) * tu
        return top + (bottom - top) * tv
    }

    /// A field of fractal value noise in [0, 1], `cell` pixels per lattice step along `angle`,
    /// `stretch` times longer across it (stretch > 1 gives fibres running along `angle`).
    static func field(
        width: Int, height: Int, cell: Float, stretch: Float = 1, angle: Float = 0, octaves: Int = 3, seed: UInt32
    ) -> [Float] {
        var out = [Float](repeating: 0, count: width * height)
        let c = cosf(angle), s = sinf(angle)
        // Octave amplitudes 1, 1/2, 1/4, … sum to this; dividing by it keeps the field in [0, 1].
        let total = (0..<octaves).reduce(Float(0)) { sum, o in sum + powf(0.5, Float(o)) }
        out.withUnsafeMutableBufferPointer { buf in
            for y in 0..<height {
                for x in 0..<width {
                    let fx = Float(x), fy = Float(y)
                    // Along the fibre: long cells; across it: short cells.
                    let along = (fx * c + fy * s) / (cell * stretch)
                    let across = (-fx * s + fy * c) / cell
                    var sum: Float = 0
                    var a: Float = 1
                    var f: Float = 1
                    for o in 0..<octaves {
                        sum += a * value(along * f, across * f, seed &+ UInt32(o) &* 977)
                        a *= 0.5
                        f *= 2
                    }
                    buf[y * width + x] = sum / total
                }
            }
        }
        return out
    }
}
