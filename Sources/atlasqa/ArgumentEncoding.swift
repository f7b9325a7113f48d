import Foundation

/// Arguments as the system passed them. Swift repairs invalid UTF-8 in `CommandLine.arguments` to U+FFFD, which
/// would silently change a question typed in another charset (or a file name); such an argument is refused instead.
enum ArgumentEncoding {
    /// The first argument that is not UTF-8, with its position (1 = the first after the command name).
    static func firstNonUTF8() -> (position: Int, repaired: String)? {
        for i in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[i] else { continue }
            let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
            if String(validating: bytes, as: UTF8.self) == nil {
                return (i, String(decoding: bytes, as: UTF8.self))
            }
        }
        return nil
    }

    /// Exits with status 2 (a usage error) when an argument is not UTF-8, naming it.
    static func requireUTF8() {
        guard let bad = firstNonUTF8() else { return }
        let message = "argument \(bad.position) ('\(bad.repaired.prefix(60))') is not UTF-8 text; questions, ids and paths must be UTF-8"
        if CommandLine.arguments.contains("--json") {
            try? Output.json(["error": ["code": "bad_input", "message": message]])
        }
        Output.log("error: \(message)")
        exit(2)
    }
}
