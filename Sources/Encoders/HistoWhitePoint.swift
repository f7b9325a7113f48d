import Imaging

/// Evens out exposure before optical density is taken: scanners and cameras differ in how bright they
/// render the same slide. One common factor (no hue change) brings the brightest 1 % of pixels towards
/// white, by at most `maximumGain`, never darkening.
enum HistoWhitePoint {
    static let percentile = 0.99
    static let maximumGain = 1.25

    static func balanced(_ image: RGBImage) -> RGBImage {
        let n = image.width * image.height
        guard n > 0 else { return image }
        // Histogram of each pixel's brightest channel, on a bounded sample.
        var hist = [Int](repeating: 0, count: 256)
        let step = max(1, n / 20_000)
        var counted = 0
        image.pixels.withUnsafeBufferPointer { px in
            var i = 0
            while i < n {
                hist[Int(max(px[3 * i], px[3 * i + 1], px[3 * i + 2]))] += 1
                counted += 1
                i += step
            }
        }
        var below = 0, white = 255
        let target = Int(Double(counted) * percentile)
        for v in 0..<256 {
            below += hist[v]
            if below > target { white = v; break }
        }
        let gain = min(maximumGain, 255 / Double(max(white, 1)))
        guard gain > 1.001 else { return image }
        let lut = (0..<256).map { UInt8(min(255, (Double($0) * gain).rounded())) }
        var out = image
        for i in out.pixels.indices { out.pixels[i] = lut[Int(out.pixels[i])] }
        return out
    }
}
