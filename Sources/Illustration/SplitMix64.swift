import Foundation

/// A small seeded generator, so a render depends on its seed alone and never on the platform's randomness.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Float {
        Float(next() >> 40) / Float(1 << 24)
    }

    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * unit()
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Float {
        let u = max(unit(), 1e-7)
        let v = unit()
        return (-2 * logf(u)).squareRoot() * cosf(2 * .pi * v)
    }

    mutating func int(_ range: Range<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func chance(_ p: Float) -> Bool {
        unit() < p
    }

    mutating func angle() -> Float {
        uniform(0, 2 * .pi)
    }
}

/// Stable 64-bit FNV-1a of a string (Swift's Hasher is seeded per process, so it cannot key a render).
func stableHash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        h ^= UInt64(byte)
        h = h &* 0x100_0000_01B3
    }
    return h
}
