public import Foundation
import AtlasCore
import HTTPTypes

/// What `/v1/ask` and `/v1/retrieve` take, from either encoding: JSON (image as base64 or a data URL)
/// or multipart/form-data (fields `question`, `k`, `conversation`, `stream`, file `image`).
public struct QuestionInput: Sendable {
    public var question: String
    public var image: Data?
    public var imageMimeType: String?
    public var imageName: String
    public var k: Int?
    public var conversation: String?
    public var stream: Bool

    public init(
        question: String, image: Data? = nil, imageMimeType: String? = nil, imageName: String = "image", k: Int? = nil,
        conversation: String? = nil, stream: Bool = false
    ) {
        self.question = question
        self.image = image
        self.imageMimeType = imageMimeType
        self.imageName = imageName
        self.k = k
        self.conversation = conversation
        self.stream = stream
    }

    /// Parses a request body by its content type; bad input throws `AtlasError(.badInput)`.
    public static func parse(body: Data, contentType: String?) throws -> QuestionInput {
        let type = (contentType ?? "application/json").lowercased()
        let input: QuestionInput
        if type.hasPrefix("multipart/form-data") {
            input = try fromMultipart(body, contentType: contentType ?? "")
        } else if type.hasPrefix("application/json") || type.hasPrefix("text/json") {
            input = try fromJSON(body)
        } else {
            throw AtlasError(.badInput, "reading the request: content type '\(type)' is not accepted (send application/json or multipart/form-data)")
        }
        try input.validate()
        return input
    }

    /// Refuses a question over `QuestionLimits.maxCharacters` with 413, without echoing it.
    static func checkLength(_ question: String, _ doing: String) throws {
        guard let problem = QuestionLimits.problem(with: question) else { return }
        throw APIError(status: .contentTooLarge, code: "too_large", message: "\(doing): \(problem)")
    }

    func validate() throws {
        if question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && image == nil {
            throw AtlasError(.badInput, "reading the request: give a question, an image, or both")
        }
        try Self.checkLength(question, "reading the request")
        if let k, k < 1 { throw AtlasError(.badInput, "reading the request: k must be at least 1 (got \(k))") }
        if let image, image.isEmpty { throw AtlasError(.badInput, "reading the request: the image is empty") }
    }

    private struct JSONForm: Decodable {
        var question: String?
        var image: String?
        var k: Int?
        var conversation: String?
        var stream: Bool?
    }

    static func fromJSON(_ body: Data) throws -> QuestionInput {
        let form: JSONForm
        do {
            form = try JSONDecoder().decode(JSONForm.self, from: body)
        } catch {
            throw AtlasError(.badInput, "reading the request: the body is not the expected JSON (\(JSONProblem.describe(error)))")
        }
        var input = QuestionInput(question: form.question ?? "", k: form.k, conversation: form.conversation, stream: form.stream ?? false)
        if let text = form.image, !text.isEmpty {
            let decoded = try ImageDataURL.decode(text)
            input.image = decoded.data
            input.imageMimeType = decoded.mimeType
        }
        return input
    }

    static func fromMultipart(_ body: Data, contentType: String) throws -> QuestionInput {
        guard let boundary = MultipartForm.boundary(fromContentType: contentType) else {
            throw AtlasError(.badInput, "reading the request: multipart/form-data without a boundary parameter")
        }
        let form: MultipartForm
        do {
            form = try MultipartForm(data: body, boundary: boundary)
        } catch {
            throw AtlasError(.badInput, error.description)
        }
        // A client sending another charset would otherwise have its question silently mangled into U+FFFD.
        var question = ""
        if let part = form.part(named: "question") {
            guard let text = String(validating: part.body, as: UTF8.self) else {
                throw AtlasError(.badInput, "reading the request: the question is not UTF-8 text (send form fields as UTF-8)")
            }
            question = text
        }
        var input = QuestionInput(question: question)
        if let k = form.text(named: "k")?.trimmingCharacters(in: .whitespaces), !k.isEmpty {
            guard let value = Int(k) else { throw AtlasError(.badInput, "reading the request: k '\(k.prefix(20))' is not a number") }
            input.k = value
        }
        if let c = form.text(named: "conversation")?.trimmingCharacters(in: .whitespaces), !c.isEmpty { input.conversation = c }
        // Exactly the document's values: a form field is text, and "TRUE " is not one of them.
        if let s = form.text(named: "stream"), !s.isEmpty {
            switch s {
            case "true", "1": input.stream = true
            case "false", "0": input.stream = false
            default: throw AtlasError(.badInput, "reading the request: stream '\(s.prefix(20))' is not true or false")
            }
        }
        if let image = form.part(named: "image") {
            let name = image.filename.map(ImageDataURL.safeName) ?? "image"
            if !image.body.isEmpty {
                input.image = image.body
                input.imageMimeType = image.contentType
                input.imageName = name
            } else if let filename = image.filename, !filename.isEmpty {
                // Browsers send an empty part named "" when no file was chosen; a named file of 0 bytes is a mistake.
                throw AtlasError(.badInput, "reading the image '\(name)': the file is empty (0 bytes)")
            }
        }
        return input
    }
}

/// Images in JSON: a data URL (`data:image/png;base64,…`) or bare base64.
enum ImageDataURL {
    static func decode(_ text: String) throws -> (data: Data, mimeType: String?) {
        var payload = Substring(text)
        var mime: String?
        if text.hasPrefix("data:") {
            guard let comma = text.firstIndex(of: ",") else {
                throw AtlasError(.badInput, "reading the image: a data URL without a comma")
            }
            let header = text[text.index(text.startIndex, offsetBy: 5)..<comma]
            guard header.hasSuffix(";base64") else {
                throw AtlasError(.badInput, "reading the image: only base64 data URLs are accepted")
            }
            mime = String(header.dropLast(7))
            payload = text[text.index(after: comma)...]
        }
        let cleaned = payload.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(cleaned), options: []) ?? Data(base64Encoded: padded(String(cleaned))) else {
            throw AtlasError(.badInput, "reading the image: it is neither a data URL nor valid base64")
        }
        return (data, mime.flatMap { $0.isEmpty ? nil : $0 })
    }

    private static func padded(_ s: String) -> String {
        let remainder = s.count % 4
        return remainder == 0 ? s : s + String(repeating: "=", count: 4 - remainder)
    }

    /// A client's file name, only for error messages: no path, no control characters, bounded.
    static func safeName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? "image"
        let clean = String(last.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 }.map(Character.init).prefix(100))
        return clean.isEmpty ? "image" : clean
    }
}

/// A JSON decoding error in one line, without echoing the body.
enum JSONProblem {
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.typeMismatch(_, let c): return "wrong type at \(path(c.codingPath)): \(c.debugDescription)"
        case DecodingError.keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case DecodingError.valueNotFound(_, let c): return "null at \(path(c.codingPath))"
        default: return "malformed JSON"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map(\.stringValue).joined(separator: ".")
    }
}
