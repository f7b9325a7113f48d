import Foundation

/// How a slide was stained and scanned: the optical density each unit of haematoxylin and eosin
/// absorbs per RGB channel, how strongly each stain took, and the brightness of the empty glass.
/// Images are composed by Beer–Lambert, I = background · exp(−(cH·h + cE·e)), so a style changes
/// colour the way a real lab's protocol does, and colour normalisation can undo it.
public struct StainStyle: Sendable, Hashable {
    public var name: String
    /// Optical density per unit concentration, RGB, unit length.
    public var haematoxylin: SIMD3<Float>
    public var eosin: SIMD3<Float>
    public var haematoxylinStrength: Float
    public var eosinStrength: Float
    /// Light through empty glass, per channel, 0…255. Scanners white-balance glass to about 235–250;
    /// much dimmer glass has an optical density (~0.15) that stain estimation mistakes for tissue.
    public var background: SIMD3<Float>
    /// Scanner noise, standard deviation-ish in 8-bit levels.
    public var noise: Float

    public init(
        name: String, haematoxylin: SIMD3<Float>, eosin: SIMD3<Float>, haematoxylinStrength: Float = 1,
        eosinStrength: Float = 1, background: SIMD3<Float> = SIMD3(242, 242, 242), noise: Float = 2
    ) {
        self.name = name
        self.haematoxylin = Self.unit(haematoxylin)
        self.eosin = Self.unit(eosin)
        self.haematoxylinStrength = haematoxylinStrength
        self.eosinStrength = eosinStrength
        self.background = background
        self.noise = noise
    }

    static func unit(_ v: SIMD3<Float>) -> SIMD3<Float> {
        let n = (v * v).sum().squareRoot()
        return n > 0 ? v / n : v
    }

    /// Macenko's reference stain vectors: a typical, well-balanced H&E.
    public static let standard = StainStyle(
        name: "standard", haematoxylin: SIMD3(0.5626, 0.7201, 0.4062), eosin: SIMD3(0.2159, 0.8012, 0.5581))

    /// The atlas's first image per entry: eosin-rich, pale haematoxylin, bright glass.
    public static let pinkLight = StainStyle(
        name: "pink-light", haematoxylin: SIMD3(0.52, 0.74, 0.43), eosin: SIMD3(0.12, 0.84, 0.52),
        haematoxylinStrength: 0.8, eosinStrength: 1.15, background: SIMD3(248, 246, 248), noise: 1.5)

    /// The atlas's second image per entry: blue, dark haematoxylin, dimmer glass.
    public static let blueDark = StainStyle(
        name: "blue-dark", haematoxylin: SIMD3(0.66, 0.70, 0.27), eosin: SIMD3(0.26, 0.80, 0.54),
        haematoxylinStrength: 1.3, eosinStrength: 0.85, background: SIMD3(237, 238, 243), noise: 2.5)

    // Real H&E stain vectors lie about 20–30° apart; every preset keeps them at least 20° apart so
    // colour deconvolution can still tell the stains apart.

    /// Not used by the atlas: a washed-out, purple slide.
    public static let purpleFaded = StainStyle(
        name: "purple-faded", haematoxylin: SIMD3(0.50, 0.78, 0.37), eosin: SIMD3(0.17, 0.86, 0.48),
        haematoxylinStrength: 0.65, eosinStrength: 0.7, background: SIMD3(240, 236, 244), noise: 2)

    /// Not used by the atlas: heavy, orange-red eosin and a warm scanner.
    public static let orangeStrong = StainStyle(
        name: "orange-strong", haematoxylin: SIMD3(0.60, 0.71, 0.37), eosin: SIMD3(0.06, 0.62, 0.78),
        haematoxylinStrength: 1.1, eosinStrength: 1.45, background: SIMD3(246, 240, 228), noise: 2)

    /// Not used by the atlas: grey-brown haematoxylin on a cool, dim scanner.
    public static let greyBrown = StainStyle(
        name: "grey-brown", haematoxylin: SIMD3(0.50, 0.62, 0.60), eosin: SIMD3(0.10, 0.80, 0.59),
        haematoxylinStrength: 1.0, eosinStrength: 0.9, background: SIMD3(235, 237, 241), noise: 3)

    /// The two styles of the bundled atlas: `-1.png` and `-2.jpg`.
    public static let atlasStyles: [StainStyle] = [.pinkLight, .blueDark]

    /// Styles the atlas never uses, for tests and demos that must not see atlas pixels.
    public static let unseenStyles: [StainStyle] = [.purpleFaded, .orangeStrong, .greyBrown]

    public static let presets: [StainStyle] = [.standard] + atlasStyles + unseenStyles

    /// A style drawn around the standard one: stain hues turned a little, strengths and glass varied.
    public static func random(seed: UInt64) -> StainStyle {
        var rng = SplitMix64(seed: seed ^ 0x5EED_57A1_0000_0001)
        func jitter(_ v: SIMD3<Float>, _ amount: Float) -> SIMD3<Float> {
            let j = v + SIMD3(rng.normal(), rng.normal(), rng.normal()) * amount
            return SIMD3(max(j.x, 0.02), max(j.y, 0.02), max(j.z, 0.02))
        }
        var h = jitter(standard.haematoxylin, 0.07)
        var e = jitter(standard.eosin, 0.09)
        while angleDegrees(h, e) < 18 {
            h = jitter(standard.haematoxylin, 0.07)
            e = jitter(standard.eosin, 0.09)
        }
        let glass = rng.uniform(234, 250)
        let tint = SIMD3(rng.normal(), rng.normal(), rng.normal()) * 3
        return StainStyle(
            name: "random-\(seed)",
            haematoxylin: h,
            eosin: e,
            haematoxylinStrength: rng.uniform(0.65, 1.4),
            eosinStrength: rng.uniform(0.65, 1.4),
            background: SIMD3(repeating: glass) + tint,
            noise: rng.uniform(1, 3.5))
    }

    /// The angle between two stain directions, in degrees.
    public static func angleDegrees(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float {
        let cosine = (unit(a) * unit(b)).sum()
        return acosf(min(max(cosine, -1), 1)) * 180 / .pi
    }

    /// A preset by name ("standard", "pink-light", "blue-dark", "purple-faded", "orange-strong",
    /// "grey-brown"), "unseen-N" (the N-th unseen style, from 1), or "random-SEED".
    public static func named(_ name: String) -> StainStyle? {
        if let preset = presets.first(where: { $0.name == name }) { return preset }
        if name.hasPrefix("unseen-"), let n = Int(name.dropFirst("unseen-".count)), (1...unseenStyles.count).contains(n) {
            return unseenStyles[n - 1]
        }
        if name.hasPrefix("random-"), let seed = UInt64(name.dropFirst("random-".count)) {
            return random(seed: seed)
        }
        return nil
    }

    /// Every name `named(_:)` accepts without a number.
    public static var presetNames: [String] {
        presets.map(\.name) + (1...unseenStyles.count).map { "unseen-\($0)" }
    }
}
