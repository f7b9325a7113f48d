import FuzzDriver
import Foundation

// The first line of the input is the Content-Type header, the rest the body, so the fuzzer also varies
// the boundary parameter.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let newline = bytes.firstIndex(of: 10) ?? bytes.endIndex
    let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Data(bytes[min(newline + 1, bytes.endIndex)...])
    guard let boundary = MultipartForm.boundary(fromContentType: contentType) else { return 0 }
    if let form = try? MultipartForm(data: body, boundary: boundary) {
        for part in form.parts {
            precondition(part.body.count <= body.count, "a part is larger than the body")
            _ = form.text(named: part.name)
        }
    }
    return 0
}

runFuzzer(fuzzMultipart)
