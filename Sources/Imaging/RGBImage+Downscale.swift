extension RGBImage {
    /// Area-average (box) resampling: each output pixel is the mean of the source area it covers,
    /// counting partly covered source pixels by the fraction covered. Exact for any ratio, so a
    /// 2:1 reduction is a plain 2x2 mean and nothing aliases. (Enlarging works too, as a
    /// blend of the one or two source pixels under each output pixel.)
    public func downscaled(toWidth targetWidth: Int, height targetHeight: Int) -> RGBImage {
        precondition(targetWidth > 0 && targetHeight > 0, "target size must be positive")
        precondition(width > 0 && height > 0, "cannot resample an empty image")
        if targetWidth == width && targetHeight == height { return self }
        let columns = BoxWeights(source: width, target: targetWidth)
        let rows = BoxWeights(source: height, target: targetHeight)
        let sourceWidth = width
        var accumulator = [Float](repeating: 0, count: sourceWidth * 3)
        var out = [UInt8](repeating: 0, count: targetWidth * targetHeight * 3)
        pixels.withUnsafeBufferPointer { src in
            accumulator.withUnsafeMutableBufferPointer { acc in
                out.withUnsafeMutableBufferPointer { dst in
                    for oy in 0..<targetHeight {
                        // Vertical pass: weighted sum of the source rows under this output row.
                        acc.update(repeating: 0)
                        for tap in rows.taps(of: oy) {
                            let weight = rows.weights[tap]
                            let base = (rows.firstSource[oy] + tap - rows.offsets[oy]) * sourceWidth * 3
                            for i in 0..<(sourceWidth * 3) {
                                acc[i] += weight * Float(src[base + i])
                            }
                        }
                        // Horizontal pass: weighted sum of the accumulated columns.
                        let outRow = oy * targetWidth * 3
                        for ox in 0..<targetWidth {
                            var r: Float = 0, g: Float = 0, b: Float = 0
                            var sx = columns.firstSource[ox]
                            for tap in columns.taps(of: ox) {
                                let weight = columns.weights[tap]
                                r += weight * acc[sx * 3]
                                g += weight * acc[sx * 3 + 1]
                                b += weight * acc[sx * 3 + 2]
                                sx += 1
                            }
                            dst[outRow + ox * 3] = UInt8(min(255, r + 0.5))
                            dst[outRow + ox * 3 + 1] = UInt8(min(255, g + 0.5))
                            dst[outRow + ox * 3 + 2] = UInt8(min(255, b + 0.5))
                        }
                    }
                }
            }
        }
        return RGBImage(width: targetWidth, height: targetHeight, pixels: out)
    }

    /// Shrinks so the longer side is at most `maxSide`, keeping the aspect ratio; smaller images are returned as they are.
    public func downscaled(maxSide: Int) -> RGBImage {
        precondition(maxSide > 0, "maxSide must be positive")
        let target = Self.fitting(width: width, height: height, maxSide: maxSide)
        return downscaled(toWidth: target.width, height: target.height)
    }

    /// The size `downscaled(maxSide:)` gives a `width` x `height` image (unchanged when it already fits).
    public static func fitting(width: Int, height: Int, maxSide: Int) -> (width: Int, height: Int) {
        let longer = Swift.max(width, height)
        guard longer > maxSide else { return (width, height) }
        let scale = Double(maxSide) / Double(longer)
        return (Swift.max(1, Int((Double(width) * scale).rounded())), Swift.max(1, Int((Double(height) * scale).rounded())))
    }
}

/// Box-filter weights along one axis. Output pixel `i` covers source interval
/// `[i·source/target, (i+1)·source/target)`; measured in units of 1/target the interval ends
/// and the source pixel edges are integers, so the overlaps (the weights) are exact.
struct BoxWeights {
    /// First source index under each output pixel.
    var firstSource: [Int]
    /// Start of each output pixel's taps in `weights`; `offsets[target]` is the end.
    var offsets: [Int]
    var weights: [Float]

    init(source: Int, target: Int) {
        firstSource = []
        offsets = [0]
        weights = []
        firstSource.reserveCapacity(target)
        offsets.reserveCapacity(target + 1)
        for i in 0..<target {
            let start = i * source, end = (i + 1) * source  // in units of 1/target source pixels
            let first = start / target
            firstSource.append(first)
            var j = first
            while j * target < end {
                let overlap = Swift.min(end, (j + 1) * target) - Swift.max(start, j * target)
                weights.append(Float(overlap) / Float(source))
                j += 1
            }
            offsets.append(weights.count)
        }
    }

    /// Indices into `weights` for output pixel `i`.
    func taps(of i: Int) -> Range<Int> { offsets[i]..<offsets[i + 1] }
}
