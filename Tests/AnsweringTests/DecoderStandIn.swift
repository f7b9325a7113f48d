import Foundation

/// The stand-in decoder (Tests/Support/decoder_standin.py) as a real server process on loopback:
/// started on port 0, it prints its port; closing its stdin ends it.
///
/// `@unchecked Sendable`: `Process` and `Pipe` are not marked Sendable, but this type only reads
/// them after `start` returns and `stop` is idempotent (Process.terminate on an exited process is a no-op).
final class DecoderStandIn: @unchecked Sendable {
    let process: Process
    let input: Pipe
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/decoder_standin.py")

    /// `wait`: how long the `timeout` and `stalled-stream` scripts stay silent. Starting blocks (process
    /// launch, reading the port), so it runs on a thread of its own: tests run in parallel on the few
    /// threads of Swift's cooperative pool, and blocking them would stall every other test's timers.
    static func start(wait: Double = 30) async throws -> DecoderStandIn {
        try await onDispatchThread { try DecoderStandIn(wait: wait, arguments: []) }
    }

    /// A port where connections are never accepted (the backlog is full): connecting hangs, as to a host that is down.
    static func startBlackhole() async throws -> DecoderStandIn {
        try await onDispatchThread { try DecoderStandIn(wait: 0, arguments: ["--blackhole"]) }
    }

    private init(wait: Double, arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, "--port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["STANDIN_WAIT"] = String(wait)
        process.environment = environment
        input = Pipe()
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
        guard let text = String(data: line, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw StandInError(message: "decoder stand-in did not print its port (got '\(String(decoding: line, as: UTF8.self))')")
        }
        self.port = port
    }

    struct StandInError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    func stop() async {
        await onDispatchThread {
            try? self.input.fileHandleForWriting.close()
            self.process.terminate()
            self.process.waitUntilExit()
        }
    }

    /// A loopback port with nothing listening: the stand-in's, after it has stopped.
    static func refusedPort() async throws -> Int {
        let standIn = try await DecoderStandIn.start()
        await standIn.stop()
        return standIn.port
    }
}

/// Runs blocking work on a dispatch thread instead of a cooperative-pool thread.
func onDispatchThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

func onDispatchThread(_ work: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            work()
            continuation.resume()
        }
    }
}
