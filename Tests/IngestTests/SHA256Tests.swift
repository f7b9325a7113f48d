import AtlasCore
import Foundation
import Testing
@testable import Ingest

@Suite struct SHA256Tests {
    // FIPS 180-2 examples and lengths around the 55/56/64-byte padding edges (from an independent implementation).
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (String(repeating: "a", count: 63), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (String(repeating: "a", count: 65), "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (String(repeating: "a", count: 119), "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
    ])
    func knownVectors(input: String, expected: String) {
        #expect(SHA256.hexDigest(input) == expected)
    }

    @Test func oneMillionA() {
        var hasher = SHA256()
        hasher.update(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(SHA256.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding the same bytes in pieces of any size (byte path and block path mixed) gives the same digest.
    @Test func piecewiseEqualsWhole() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let whole = SHA256.hash(Data(bytes))
        for pieceSize in [1, 3, 63, 64, 65, 200] {
            var hasher = SHA256()
            var i = 0
            var useData = false
            while i < bytes.count {
                let piece = bytes[i..<min(i + pieceSize, bytes.count)]
                if useData { hasher.update(Data(piece)) } else { hasher.update(piece) }
                useData.toggle()
                i += pieceSize
            }
            #expect(hasher.finalize() == whole, "pieces of \(pieceSize)")
        }
    }
}
