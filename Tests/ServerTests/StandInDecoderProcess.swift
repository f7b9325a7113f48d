import Foundation

/// The stand-in decoder (Tests/Support/decoder_standin.py, Python's standard library only) as a real
/// HTTP+SSE server process on loopback: started on port 0, it prints its port; closing stdin ends it.
/// Each request is answered by the script its model name chooses (see the script's header).
///
/// `@unchecked Sendable`: `Process` and `Pipe` are only touched in `init` and in `stop`, which is idempotent.
final class StandInDecoderProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Support/decoder_standin.py")

    /// Launching blocks; it runs on a Dispatch thread so the cooperative pool keeps serving other tests.
    static func start(wait: Double = 30) async throws -> StandInDecoderProcess {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try StandInDecoderProcess(wait: wait) }) }
        }
    }

    private init(wait: Double) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, "--port", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["STANDIN_WAIT"] = String(wait)
        process.environment = environment
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "the decoder stand-in did not print its port"])
        }
        self.port = port
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}
