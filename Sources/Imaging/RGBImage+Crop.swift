extension RGBImage {
    /// The pixels inside `rect`, which must lie within the image (a caller's bug otherwise).
    public func cropped(_ rect: PixelRect) -> RGBImage {
        precondition(rect.fits(width: width, height: height), "crop \(rect) outside a \(width)x\(height) image")
        if rect.x == 0, rect.y == 0, rect.width == width, rect.height == height { return self }
        let rowBytes = rect.width * 3
        let pixels = [UInt8](unsafeUninitializedCapacity: rowBytes * rect.height) { out, count in
            self.pixels.withUnsafeBufferPointer { src in
                for row in 0..<rect.height {
                    let from = ((rect.y + row) * width + rect.x) * 3
                    UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(out)[row * rowBytes..<(row + 1) * rowBytes])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(src)[from..<from + rowBytes]))
                }
            }
            count = rowBytes * rect.height
        }
        return RGBImage(width: rect.width, height: rect.height, pixels: pixels)
    }
}
