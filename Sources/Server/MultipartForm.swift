public import Foundation

/// A parsed `multipart/form-data` body (RFC 7578): parts in order, each with its headers, form name,
/// optional file name and bytes. Strict on structure (a missing boundary, a part without headers' end
/// or without the closing delimiter is an error), lenient where browsers differ (quoted or bare parameters).
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        /// Header names lower-cased.
        public var headers: [String: String]
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var body: Data
    }

    public var parts: [Part]

    public func part(named name: String) -> Part? { parts.first { $0.name == name } }

    public func text(named name: String) -> String? {
        part(named: name).map { String(decoding: $0.body, as: UTF8.self) }
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { "reading multipart/form-data: \(message)" }
    }

    /// The boundary parameter of a `multipart/form-data` content type, or nil when there is none.
    public static func boundary(fromContentType contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = pieces.first, type.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let (key, value) = Self.parameter(piece)
            if key == "boundary", !value.isEmpty, value.count <= 70 { return value }
        }
        return nil
    }

    public init(data: Data, boundary: String) throws(ParseError) {
        let bytes = [UInt8](data)
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        // The body is: preamble, "--b", then per part CRLF headers CRLF CRLF body CRLF "--b", ending "--b--".
        guard var position = Self.find(delimiter, in: bytes, from: 0) else {
            throw ParseError(message: "the boundary '\(boundary)' does not occur in the body")
        }
        position += delimiter.count
        var parts: [Part] = []
        while true {
            if Self.matches([45, 45], in: bytes, at: position) { break }  // "--": the closing delimiter
            // Transport padding (spaces/tabs) may follow a delimiter before its CRLF.
            while position < bytes.count, bytes[position] == 32 || bytes[position] == 9 { position += 1 }
            guard Self.matches(crlf, in: bytes, at: position) else {
                throw ParseError(message: "expected a line break after the boundary at byte \(position)")
            }
            position += 2
            guard let next = Self.find(crlf + delimiter, in: bytes, from: position) else {
                throw ParseError(message: "a part is not closed by the boundary (truncated body?)")
            }
            // The headers end at the first blank line, which must come before the part's closing boundary.
            let headerEnd: Int
            if Self.matches(crlf, in: bytes, at: position) {
                headerEnd = position - 2
            } else if let end = Self.find([13, 10, 13, 10], in: bytes, from: position), end + 4 <= next + 2 {
                headerEnd = end
            } else {
                throw ParseError(message: "a part's headers never end (no blank line) after byte \(position)")
            }
            let headers = try Self.headers(bytes[min(position, headerEnd)..<max(position, headerEnd)])
            let bodyStart = headerEnd + 4
            guard bodyStart <= next else {
                throw ParseError(message: "a part's headers run into the next boundary at byte \(next)")
            }
            guard let disposition = headers["content-disposition"] else {
                throw ParseError(message: "a part has no Content-Disposition header")
            }
            let params = Self.dispositionParameters(disposition)
            guard let name = params["name"] else {
                throw ParseError(message: "a part's Content-Disposition has no name")
            }
            parts.append(
                Part(
                    headers: headers, name: name, filename: params["filename"], contentType: headers["content-type"],
                    body: Data(bytes[bodyStart..<next])))
            position = next + 2 + delimiter.count
            guard position <= bytes.count else { throw ParseError(message: "the body ends inside a boundary") }
        }
        self.parts = parts
    }

    private static func headers(_ raw: ArraySlice<UInt8>) throws(ParseError) -> [String: String] {
        var headers: [String: String] = [:]
        let text = String(decoding: raw, as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw ParseError(message: "malformed part header line '\(line.prefix(80))'")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    /// `form-data; name="image"; filename="a.png"` → ["name": "image", "filename": "a.png"].
    static func dispositionParameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        for piece in splitParameters(value).dropFirst() {
            let (key, v) = parameter(piece)
            if !key.isEmpty { result[key] = v }
        }
        return result
    }

    /// Splits on `;` outside quotes (a file name may contain one).
    private static func splitParameters(_ value: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for c in value {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" && quoted {
                current.append(c)
                escaped = true
            } else if c == "\"" {
                quoted.toggle()
                current.append(c)
            } else if c == ";" && !quoted {
                pieces.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(c)
            }
        }
        pieces.append(current.trimmingCharacters(in: .whitespaces))
        return pieces
    }

    private static func parameter(_ piece: String) -> (String, String) {
        guard let eq = piece.firstIndex(of: "=") else { return (piece.lowercased(), "") }
        let key = piece[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
        var value = piece[piece.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = String(value.dropFirst().dropLast())
                .replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        return (key, value)
    }

    static func matches(_ needle: [UInt8], in bytes: [UInt8], at position: Int) -> Bool {
        guard position >= 0, position + needle.count <= bytes.count else { return false }
        for i in 0..<needle.count where bytes[position + i] != needle[i] { return false }
        return true
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        let first = needle[0]
        var i = start
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == first && matches(needle, in: bytes, at: i) { return i }
            i += 1
        }
        return nil
    }
}
