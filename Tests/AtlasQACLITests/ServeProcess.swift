import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `atlasqa serve` as a separate process on 127.0.0.1 (port 0), its stderr kept in a file for the tests to read.
///
/// `@unchecked Sendable`: the process handle is only used to signal and wait, which Foundation allows from any thread.
final class ServeProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let stderrFile: URL

    var pid: Int32 { process.processIdentifier }

    /// Starts the server and waits until `/health` answers 200.
    static func start(database: URL, arguments: [String] = [], environment: [String: String] = [:]) async throws -> ServeProcess {
        try await onDispatchThread { try ServeProcess(database: database, arguments: arguments, environment: environment) }
    }

    private init(database: URL, arguments: [String], environment: [String: String]) throws {
        stderrFile = database.deletingLastPathComponent().appendingPathComponent("serve-\(UUID().uuidString.prefix(8)).stderr")
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process = Process()
        process.executableURL = CLI.binDirectory.appendingPathComponent("atlasqa")
        process.arguments = ["serve", "--db", database.path, "--port", "0"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["ATLASQA_MODELS"] = env["ATLASQA_MODELS"] ?? CLI.repository.appendingPathComponent("models").path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)\//) { found = Int(match.output.1) }
            usleep(50_000)
        }
        guard let port = found else {
            process.terminate()
            throw CLIError("atlasqa serve did not start: \((try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "")")
        }
        self.port = port
        while Date() < deadline {
            if (try? LoopbackHTTP.request(port: port, "GET", "/health").status) == 200 { return }
            usleep(50_000)
        }
        throw CLIError("atlasqa serve on port \(port) never became ready")
    }

    /// Everything the server wrote to stderr so far.
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// SIGTERM (graceful shutdown), then waits for the exit. The stderr file stays readable.
    func stop() async {
        await onDispatchThread {
            if self.process.isRunning { self.process.terminate() }
            self.process.waitUntilExit()
        }
    }
}

/// A minimal HTTP/1.1 client over a plain loopback socket (one request per connection), so these tests
/// need no HTTP library. Chunked responses are de-chunked.
enum LoopbackHTTP {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let o = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { throw CLIError("not JSON: \(text.prefix(200))") }
            return o
        }
    }

    static func request(
        port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil, timeout: Int = 60
    ) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("socket(): errno \(errno)") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw CLIError("connecting to 127.0.0.1:\(port): errno \(errno)") }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body?.count ?? 0)\r\n\r\n"
        var outgoing = Data(head.utf8)
        if let body { outgoing += body }
        try outgoing.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw CLIError("sending to 127.0.0.1:\(port): errno \(errno)") }
                sent += n
            }
        }
        var incoming = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { break }
            guard n > 0 else { throw CLIError("reading from 127.0.0.1:\(port): errno \(errno)") }
            incoming.append(contentsOf: buffer[0..<n])
        }
        return try parse(incoming)
    }

    static func parse(_ data: Data) throws -> Reply {
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else { throw CLIError("no HTTP head in \(data.count) bytes") }
        let lines = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw CLIError("bad status line")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Reply(status: status, headers: headers, body: body)
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size else { break }
            let end = rest.index(start, offsetBy: size)
            out += rest[start..<end]
            rest = rest[min(rest.index(end, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex, rest.endIndex)...]
        }
        return out
    }

    static func json(port: Int, _ method: String, _ path: String, _ object: Any, key: String? = nil) throws -> Reply {
        var headers = ["Content-Type": "application/json"]
        if let key { headers["Authorization"] = "Bearer \(key)" }
        return try request(port: port, method, path, headers: headers, body: try JSONSerialization.data(withJSONObject: object))
    }
}
