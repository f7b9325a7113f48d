import Answering
import AsyncHTTPClient
import AtlasCore
import Foundation
import NIOCore
import Testing

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
        try await offThePool { try DecoderStandIn(wait: wait) }
    }

    private init(wait: Double) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, "--port", "0"]
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

    /// Every request the stand-in received, oldest first: `{"path", "headers", "body"}`.
    func requests() async throws -> [JSONValue] {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/_requests"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        guard case .array(let list) = value else { throw StandInError(message: "/_requests is not a JSON array") }
        return list
    }

    func stop() async {
        await offThePool {
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
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

func offThePool(_ work: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            work()
            continuation.resume()
        }
    }
}

/// Runs `body` with a fresh stand-in and a decoder pointed at it, and stops both afterwards.
func withStandIn<T>(
    model: String, stream: Bool = true, wait: Double = 30, configure: (inout DecoderSettings) -> Void = { _ in },
    prepareImage: ImagePayload.Preparation? = nil,
    _ body: (DecoderStandIn, OpenAIDecoder) async throws -> T
) async throws -> T {
    let standIn = try await DecoderStandIn.start(wait: wait)
    var settings = DecoderSettings(baseURL: standIn.baseURL, model: model, stream: stream)
    configure(&settings)
    do {
        let result = try await OpenAIDecoder.withDecoder(settings: settings, prepareImage: prepareImage) { decoder in
            try await body(standIn, decoder)
        }
        await standIn.stop()
        return result
    } catch {
        await standIn.stop()
        throw error
    }
}

@Suite("Decoder stand-in")
struct DecoderStandInTests {
    @Test("records what it receives and answers by script")
    func recordsRequests() async throws {
        try await withStandIn(model: "valid-citations", stream: false) { standIn, decoder in
            let answer = try await decoder.decode(DecoderFixtures.decodeRequest())
            #expect(answer.text.contains("[1]"))
            let received = try await standIn.requests()
            #expect(received.count == 1)
            #expect(received.first?["path"]?.stringValue == "/v1/chat/completions")
            #expect(received.first?["body"]?["model"]?.stringValue == "valid-citations")
        }
    }
}

/// References and requests the decoder tests ask with, built in code.
enum DecoderFixtures {
    static let references: [Reference] = [
        Reference(
            rank: 1, entry: "breast-dcis", passage: "breast-dcis#1", title: "Ductal carcinoma in situ (breast)",
            heading: "Microscopic features",
            text: "Ducts are expanded by a solid, cribriform or micropapillary proliferation of monotonous cells with evenly spaced nuclei.",
            source: "project-authored", image: nil, scores: .init(image: nil, text: 0.71, lexical: 9.2, fused: 0.033)),
        Reference(
            rank: 2, entry: "breast-adh", passage: "breast-adh#2", title: "Atypical ductal hyperplasia",
            heading: "Differential diagnosis",
            text: "Atypical ductal hyperplasia has the cytology of low-grade DCIS but involves only part of a duct or is under 2 mm.",
            source: "project-authored", image: nil, scores: .init(image: nil, text: 0.64, lexical: 6.0, fused: 0.031)),
        Reference(
            rank: 3, entry: "breast-udh", passage: "breast-udh#1", title: "Usual ductal hyperplasia", heading: nil,
            text: "Usual ductal hyperplasia shows streaming, overlapping nuclei of varied shape with irregular slit-like spaces.",
            source: "project-authored", image: nil, scores: .init(image: nil, text: 0.52, lexical: 3.1, fused: 0.029)),
    ]

    static let question = "What features of the duct suggest DCIS?"
    static let chineseQuestion = "导管的哪些特征提示导管原位癌？"

    static func decodeRequest(
        question: String = question, history: [ConversationTurn] = [], image: Data? = nil, mime: String? = nil
    ) -> DecodeRequest {
        DecodeRequest(
            question: question, language: Language.detect(question), references: references, support: .moderate,
            image: image, imageMimeType: mime, history: history)
    }

    /// The ask pipeline with a fixed retrieval result, so only the decoder varies.
    static func pipeline(decoder: any AnswerDecoder, support: Support = .moderate) -> AskPipeline {
        AskPipeline(retrieve: { _ in RetrievedReferences(references: references, support: support) }, decoder: decoder)
    }

    /// A PNG signature and filler bytes: the client sends images as they are and only reads the signature.
    static let pngBytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<56).map { UInt8($0) })
}
