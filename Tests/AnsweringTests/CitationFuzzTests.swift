import AtlasCore
import Answering
import Testing

/// SplitMix64: a small seeded generator, so a failing case can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct CitationFuzzTests {
    static let pieces = [
        "[", "]", "【", "】", "［", "］", "1", "2", "3", "9", "0", "12", "-", "–", ",", " ", ", ", "cells", "核",
        ".", "。", "\n", "[1]", "[2, 3]", "[4–6]", "[9]", "[[", "]]", "１", "DCIS", "?",
    ]

    /// Whatever a decoder writes, the checked text cites only references, and lists every number it cites.
    @Test(arguments: 0..<8)
    func randomAnswersAlwaysSatisfyTheCitationInvariant(batch: Int) {
        var rng = SplitMix64(state: UInt64(batch) &* 7919 &+ 1)
        let references = Array(AtlasFixtures.dcisQuestionReferences.prefix(3))
        let checker = CitationChecker()
        for _ in 0..<250 {
            let length = Int.random(in: 1...40, using: &rng)
            let answer = (0..<length).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            let result = checker.check(answer, references: references)
            let cited = CitationInvariant.citedNumbers(in: result.text)
            #expect(cited.allSatisfy { (1...3).contains($0) }, "input: \(answer.debugDescription)")
            #expect(Set(cited) == Set(result.citations.map(\.n)), "input: \(answer.debugDescription)")
            #expect(result.citations.map(\.n) == result.citations.map(\.n).sorted())
            // Checking twice changes nothing more.
            let again = checker.check(result.text, references: references)
            #expect(again.text == result.text, "input: \(answer.debugDescription)")
            #expect(again.removedCount == 0)
        }
    }
}
