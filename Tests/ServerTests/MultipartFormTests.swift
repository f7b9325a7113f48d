import Foundation
import Testing
@testable import Server

@Suite struct MultipartFormTests {
    func body(_ parts: [String], boundary: String = "XyZ") -> Data {
        Data((parts.map { "--\(boundary)\r\n\($0)" }.joined(separator: "\r\n") + "\r\n--\(boundary)--\r\n").utf8)
    }

    @Test func fieldsAndAFileWithBinaryBytes() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x0D, 0x0A, 0x2D, 0x2D, 0x00, 0xFF])  // holds CRLF and "--"
        var data = Data("preamble to ignore\r\n--b0und\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\nWhat is this?\r\n".utf8)
        data += Data("--b0und\r\nContent-Disposition: form-data; name=\"image\"; filename=\"fi;eld.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        data += png + Data("\r\n--b0und--\r\nepilogue".utf8)
        let form = try MultipartForm(data: data, boundary: "b0und")
        #expect(form.parts.count == 2)
        #expect(form.text(named: "question") == "What is this?")
        let image = try #require(form.part(named: "image"))
        #expect(image.filename == "fi;eld.png")
        #expect(image.contentType == "image/png")
        #expect(image.body == png)
    }

    @Test func emptyValueAndUnicode() throws {
        let form = try MultipartForm(
            data: body(["Content-Disposition: form-data; name=\"k\"\r\n\r\n", "Content-Disposition: form-data; name=\"question\"\r\n\r\n这些细胞有什么特点？"]),
            boundary: "XyZ")
        #expect(form.text(named: "k") == "")
        #expect(form.text(named: "question") == "这些细胞有什么特点？")
    }

    @Test func boundaryFromContentType() {
        #expect(MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=----WebKitFormBoundaryA1b2") == "----WebKitFormBoundaryA1b2")
        #expect(MultipartForm.boundary(fromContentType: "Multipart/Form-Data; charset=utf-8; boundary=\"quoted b\"") == "quoted b")
        #expect(MultipartForm.boundary(fromContentType: "multipart/form-data") == nil)
        #expect(MultipartForm.boundary(fromContentType: "application/json; boundary=x") == nil)
    }

    @Test(arguments: [
        ("no boundary at all", "Content-Disposition: form-data; name=\"a\"\r\n\r\nx"),
        ("truncated: no closing boundary", "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue without end"),
        ("headers never end", "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n--XyZ--\r\n"),
        ("no content-disposition", "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--\r\n"),
        ("disposition without a name", "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--\r\n"),
        ("header line without colon", "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nbroken header\r\n\r\nx\r\n--XyZ--\r\n"),
        ("garbage after the boundary", "--XyZgarbage\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--XyZ--\r\n"),
    ])
    func malformedBodiesAreRejected(_ example: (String, String)) {
        #expect(throws: MultipartForm.ParseError.self, "\(example.0)") {
            try MultipartForm(data: Data(example.1.utf8), boundary: "XyZ")
        }
    }

    /// Every prefix of a valid body either parses to a subset of its parts or throws — never crashes.
    @Test func everyTruncationIsHandled() throws {
        let full = body(["Content-Disposition: form-data; name=\"question\"\r\n\r\nhello", "Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n\u{1}\u{2}\u{3}"])
        for n in 0..<full.count {
            if let form = try? MultipartForm(data: full.prefix(n), boundary: "XyZ") {
                #expect(form.parts.count <= 2)
            }
        }
        #expect(try MultipartForm(data: full, boundary: "XyZ").parts.count == 2)
    }
}

@Suite struct QuestionInputTests {
    @Test func jsonWithDataURLAndBareBase64() throws {
        let bytes = Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3])
        let a = try QuestionInput.parse(
            body: Data(#"{"question":"q","image":"data:image/png;base64,\#(bytes.base64EncodedString())","k":3}"#.utf8),
            contentType: "application/json")
        #expect(a.image == bytes && a.imageMimeType == "image/png" && a.k == 3 && a.stream == false)
        let b = try QuestionInput.parse(body: Data(#"{"image":"\#(bytes.base64EncodedString())","stream":true}"#.utf8), contentType: nil)
        #expect(b.image == bytes && b.imageMimeType == nil && b.stream)
    }

    @Test func badInputsSayWhatIsWrong() {
        func message(_ body: String, _ type: String = "application/json") -> String? {
            do {
                _ = try QuestionInput.parse(body: Data(body.utf8), contentType: type)
                return nil
            } catch { return "\(error)" }
        }
        #expect(message("{not json")?.contains("not the expected JSON") == true)
        #expect(message(#"{"question":"  "}"#)?.contains("give a question, an image, or both") == true)
        #expect(message(#"{"question":"q","image":"%%%"}"#)?.contains("base64") == true)
        #expect(message(#"{"question":"q","k":0}"#)?.contains("k must be at least 1") == true)
        #expect(message("question=q", "application/x-www-form-urlencoded")?.contains("not accepted") == true)
    }
}
