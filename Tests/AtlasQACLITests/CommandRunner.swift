import Foundation

/// Runs the built `atlasqa` (and `render-atlas`) binaries as a user would, capturing what they print.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw CLIError("stdout is not a JSON object: \(stdout.prefix(300))")
        }
        return object
    }
}

extension CommandResult {
    /// The distinct entries of `retrieve --json`'s references, in rank order (an entry gives up to three passages).
    func entriesInRankOrder() throws -> [String] {
        guard let references = try json()["references"] as? [[String: Any]] else {
            throw CLIError("no references in: \(stdout.prefix(300))")
        }
        var entries: [String] = []
        for r in references { if let e = r["entry"] as? String, !entries.contains(e) { entries.append(e) } }
        return entries
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum CLI {
    /// The folder holding the test bundle, which is also where `swift build` put the executables.
    static let binDirectory: URL = {
        if let explicit = ProcessInfo.processInfo.environment["ATLASQA_BIN_DIR"] { return URL(fileURLWithPath: explicit) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // …/debug/AtlasQAPackageTests.xctest (a file on Linux) → …/debug
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("atlasqa").path), dir.path != "/" {
            dir.deleteLastPathComponent()
        }
        return dir
    }()

    /// The checkout (for the bundled Atlas/ and models/).
    static let repository: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func atlasqa(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try run(binDirectory.appendingPathComponent("atlasqa"), arguments, environment: environment)
    }

    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw CLIError("\(executable.path) is not built; run `swift build` first")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["ATLASQA_MODELS"] = env["ATLASQA_MODELS"] ?? repository.appendingPathComponent("models").path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while the process runs, so a chatty process cannot block on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
