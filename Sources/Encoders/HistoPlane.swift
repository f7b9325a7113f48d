/// One channel of a tile (a stain amount, a density), row-major Float.
struct HistoPlane: Sendable {
    var width: Int
    var height: Int
    var values: [Float]

    init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "plane must hold width*height values")
        self.width = width
        self.height = height
        self.values = values
    }

    func cropped(x: Int, y: Int, width w: Int, height h: Int) -> HistoPlane {
        var out = [Float](repeating: 0, count: w * h)
        values.withUnsafeBufferPointer { src in
            for row in 0..<h {
                let s = (y + row) * width + x
                for col in 0..<w { out[row * w + col] = src[s + col] }
            }
        }
        return HistoPlane(width: w, height: h, values: out)
    }

    /// 2×2 box average: the next octave of the same tissue.
    func halved() -> HistoPlane {
        let w = width / 2, h = height / 2
        var out = [Float](repeating: 0, count: w * h)
        values.withUnsafeBufferPointer { src in
            for y in 0..<h {
                let r0 = 2 * y * width, r1 = r0 + width
                for x in 0..<w {
                    out[y * w + x] = 0.25 * (src[r0 + 2 * x] + src[r0 + 2 * x + 1] + src[r1 + 2 * x] + src[r1 + 2 * x + 1])
                }
            }
        }
        return HistoPlane(width: w, height: h, values: out)
    }
}
