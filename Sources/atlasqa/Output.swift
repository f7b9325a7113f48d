import ArgumentParser
import AtlasCore
import Foundation

/// Writes results to stdout and failures to stderr (or as JSON), the one place exit statuses are decided.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func log(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Runs a command body; a failure prints `error: …` (or the JSON error object) and exits non-zero.
    static func run(json: Bool, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as AtlasError {
            fail(code: error.code.rawValue, message: error.message, json: json)
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            fail(code: AtlasError.Code.internal.rawValue, message: String(describing: error), json: json)
        }
    }

    private static func fail(code: String, message: String, json: Bool) -> Never {
        if json {
            try? Output.json(["error": ["code": code, "message": message]])
        }
        log("error: \(message)")
        exit(1)
    }
}
