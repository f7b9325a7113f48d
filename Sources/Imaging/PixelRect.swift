/// A rectangle in pixel coordinates, origin top-left: columns `x ..< x+width`, rows `y ..< y+height`.
public struct PixelRect: Sendable, Hashable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var area: Int { width * height }

    /// True when the rectangle is non-empty and lies inside a `width` x `height` image.
    public func fits(width imageWidth: Int, height imageHeight: Int) -> Bool {
        x >= 0 && y >= 0 && width > 0 && height > 0 && maxX <= imageWidth && maxY <= imageHeight
    }

    public var description: String { "[\(x), \(y), \(width), \(height)]" }
}
