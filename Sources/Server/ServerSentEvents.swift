import Foundation
import NIOCore

/// `text/event-stream` framing (each data line prefixed, events separated by a blank line).
enum ServerSentEvents {
    static func event(_ name: String?, json: Data) -> ByteBuffer {
        var text = ""
        if let name { text += "event: \(name)\n" }
        // JSON without pretty-printing has no raw newlines; split anyway so a stray one cannot end the event.
        for line in String(decoding: json, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        return ByteBuffer(string: text + "\n")
    }

    static func data(_ raw: String) -> ByteBuffer { ByteBuffer(string: "data: \(raw)\n\n") }

    /// Splits an answer into small pieces at spaces, so the pieces joined are exactly the answer.
    static func pieces(of text: String, size: Int = 16) -> [String] {
        var pieces: [String] = []
        var current = ""
        for c in text {
            current.append(c)
            if c.isWhitespace && current.count >= size || current.count >= size * 4 {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
