@testable import Answering
import Foundation
import Testing

/// The stream parser and the visible-text filter, on inputs split at every possible place.
@Suite("Decoder stream parsing")
struct DecoderSSETests {
    static let stream = Array(
        (": comment line\r\n"
            + "data: {\"a\": 1}\r\n\r\n"
            + "event: delta\ndata: first line\ndata: second line\n\n"
            + "id: 7\rdata:no space after the colon\r\r"
            + "event: empty\n\n"
            + "data: 漢字 and é\n\n"
            + "data: [DONE]\n\n").utf8)

    static let expected = [
        SSEEvent(data: "{\"a\": 1}"),
        SSEEvent(event: "delta", data: "first line\nsecond line"),
        SSEEvent(data: "no space after the colon", id: "7"),
        SSEEvent(data: "漢字 and é", id: "7"),
        SSEEvent(data: "[DONE]", id: "7"),
    ]

    @Test("events come out whole whatever the chunking")
    func everySplit() {
        var whole = SSEParser()
        #expect(whole.feed(Self.stream) + whole.finish() == Self.expected)
        for cut in 1..<Self.stream.count {
            var parser = SSEParser()
            let events = parser.feed(Self.stream[..<cut]) + parser.feed(Self.stream[cut...]) + parser.finish()
            #expect(events == Self.expected, "split at byte \(cut)")
        }
    }

    @Test("byte by byte")
    func byteByByte() {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for byte in Self.stream { events += parser.feed([byte]) }
        #expect(events + parser.finish() == Self.expected)
    }

    @Test("a last event without its blank line is delivered at the end")
    func unterminated() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: one\n\ndata: two".utf8)) == [SSEEvent(data: "one")])
        #expect(parser.finish() == [SSEEvent(data: "two")])
    }

    static let boxed = "<think>Let me look at [2] first.</think>\n<|begin_of_box|>Solid sheets of cells [1].<|end_of_box|>"

    @Test("reasoning and box tokens are removed wherever the pieces split them")
    func visibleTextSplits() {
        let chars = Array(Self.boxed)
        for cut in 0...chars.count {
            for cut2 in stride(from: cut, through: chars.count, by: 7) {
                var filter = OpenAIVisibleText()
                let shown = filter.feed(String(chars[..<cut])) + filter.feed(String(chars[cut..<cut2]))
                    + filter.feed(String(chars[cut2...])) + filter.finish()
                #expect(shown.trimmingCharacters(in: .whitespacesAndNewlines) == "Solid sheets of cells [1].", "cuts \(cut), \(cut2)")
            }
        }
    }

    @Test("a closing </think> alone means everything before it was reasoning")
    func loneThinkClose() {
        #expect(OpenAIVisibleText.clean("thinking about it…</think>The answer [1].") == "The answer [1].")
        #expect(OpenAIVisibleText.clean("<think>never closed") == "")
        #expect(OpenAIVisibleText.clean("Plain answer with a < sign [1].") == "Plain answer with a < sign [1].")
    }
}
