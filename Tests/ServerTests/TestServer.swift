import Answering
import AsyncHTTPClient
import AtlasCore
import Encoders
import Foundation
import Imaging
import NIOCore
import NIOHTTP1
import Retrieval
import Store
import Testing
@testable import Server

/// The real server on a real socket (127.0.0.1, a free port), talked to with a plain HTTP client.
final class TestServer: Sendable {
    let services: AtlasServices
    let port: Int
    let task: Task<Void, any Error>
    let path: String

    var base: String { "http://127.0.0.1:\(port)" }

    /// - Parameters:
    ///   - imageLimits: the pixel budget of uploaded images (as `ATLASQA_MAX_PIXELS` sets it for `atlasqa serve`).
    ///   - decoder: the answer decoder (default extractive).
    ///   - ingestion: how `POST /v1/ingest` ingests (default: the real `Ingester` into the served store).
    static func start(
        _ settings: ServerSettings = ServerSettings(port: 0), waitUntilReady: Bool = true, imageLimits: ImageLimits = ImageLimits(),
        decoder: (any AnswerDecoder)? = nil, ingestion: ((AtlasStore) -> any AtlasIngesting)? = nil
    ) async throws -> TestServer {
        let path = try TestAtlas.freshCopy()
        let store = try AtlasStore(path: path)
        let retriever = Retriever(reader: store, imageEncoder: HistologyDescriptor(limits: imageLimits), textEncoder: nil)
        var settings = settings
        settings.port = 0
        let services = AtlasServices(
            store: store, retriever: retriever, composer: AnswerComposer(decoder: decoder ?? ExtractiveDecoder()), settings: settings,
            ingestor: ingestion?(store) ?? TestIngestion(store: store))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await runApplication(services: services, handleSignals: false) { continuation.yield($0) } }
        var port = 0
        for await p in ports {
            port = p
            break
        }
        let server = TestServer(services: services, port: port, task: task, path: path)
        if waitUntilReady {
            while !services.readiness.isReady { try await Task.sleep(for: .milliseconds(10)) }
        }
        return server
    }

    private init(services: AtlasServices, port: Int, task: Task<Void, any Error>, path: String) {
        self.services = services
        self.port = port
        self.task = task
        self.path = path
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "not a JSON object: \(text.prefix(300))")
        }
        /// The `{"error": {"code", "message"}}` body of an error response.
        func error() throws -> (code: String, message: String) {
            let e = try #require(try json()["error"] as? [String: Any])
            return (try #require(e["code"] as? String), try #require(e["message"] as? String))
        }
    }

    func request(
        _ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String? = nil, key: String? = nil,
        headers extra: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (n, v) in extra { request.headers.add(name: n, value: v) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 50 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    func get(_ path: String, key: String? = nil) async throws -> Reply { try await request(.GET, path, key: key) }

    func postJSON(_ path: String, _ object: [String: Any], key: String? = nil) async throws -> Reply {
        try await request(.POST, path, body: try JSONSerialization.data(withJSONObject: object), contentType: "application/json", key: key)
    }

    /// A multipart/form-data body as browsers send it.
    static func multipart(fields: [(String, String)], image: (name: String, data: Data, type: String)?) -> (Data, String) {
        let boundary = "----AtlasQATestBoundary\(UUID().uuidString.prefix(8))"
        var body = Data()
        for (name, value) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let image {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\(image.name)\"\r\nContent-Type: \(image.type)\r\n\r\n".utf8)
            body += image.data + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// A file upload as multipart/form-data in the field `atlas` (`curl -F atlas=@file`).
    static func upload(_ data: Data, filename: String, type: String) -> (Data, String) {
        let boundary = "----AtlasQAUpload\(UUID().uuidString.prefix(8))"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"atlas\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        body += data + Data("\r\n--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// Server-sent events of a whole response: (event name or nil, data).
    static func events(_ text: String) -> [(name: String?, data: String)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var name: String?
            var data: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : (name, data.joined(separator: "\n"))
        }
    }
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}
