import AtlasCore
import Foundation
import Testing
@testable import Encoders

/// Damaged or mismatched weight files fail at load with an error naming the file and the problem.
@Suite final class ModelFileErrorTests {
    let scratch: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-encoders-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// A copy of the tiny BERT whose safetensors file is replaced by `damage(original)`.
    func tinyModel(damage: (Data) -> Data) throws -> URL {
        let source = TextFixtures.directory.appendingPathComponent("tiny-bert")
        let copy = scratch.appendingPathComponent("tiny-bert")
        try FileManager.default.copyItem(at: source, to: copy)
        let weights = copy.appendingPathComponent("model.safetensors")
        try damage(try Data(contentsOf: weights)).write(to: weights)
        return copy
    }

    func loadError(_ directory: URL) -> String? {
        do {
            _ = try MiniLMEncoder(directory: directory)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func truncatedSafetensorsNamesFileAndTensor() throws {
        let directory = try tinyModel { $0.prefix($0.count - 1000) }
        let message = try #require(loadError(directory))
        #expect(message.contains("model.safetensors"))
        #expect(message.contains("truncated"))
    }

    @Test func garbageHeaderIsReported() throws {
        let directory = try tinyModel { data in
            var d = data
            d.replaceSubrange(8..<16, with: Array("not json".utf8))
            return d
        }
        let message = try #require(loadError(directory))
        #expect(message.contains("model.safetensors") && message.contains("JSON"))
    }

    @Test func aFileThatIsNotSafetensorsIsReported() throws {
        let directory = try tinyModel { _ in Data(repeating: 0xFF, count: 64) }
        let message = try #require(loadError(directory))
        #expect(message.contains("model.safetensors") && message.contains("not a safetensors file"))
    }

    @Test func weightsThatDoNotFitTheConfigAreReported() throws {
        let directory = try tinyModel { $0 }
        let config = directory.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(
            of: "\"intermediate_size\": 64", with: "\"intermediate_size\": 128")
        try text.write(to: config, atomically: true, encoding: .utf8)
        let message = try #require(loadError(directory))
        #expect(message.contains("model.safetensors") && message.contains("intermediate.dense.weight"))
    }

    @Test func truncatedE5FileNamesTheFile() throws {
        let file = scratch.appendingPathComponent("e5-small-q4.bin")
        var header = Data("E5S1".utf8)
        header.append(contentsOf: [1, 0, 0, 0])
        header.append(contentsOf: [0x80, 1, 0, 0])  // hidden 384, then nothing
        try header.write(to: file)
        #expect {
            _ = try E5Encoder(file: file)
        } throws: { error in
            "\(error)".contains("e5-small-q4.bin") && "\(error)".contains("truncated")
        }
    }

    @Test func aFileWithTheWrongMagicIsNotTakenForE5() throws {
        let file = scratch.appendingPathComponent("not-e5.bin")
        try Data(repeating: 7, count: 128).write(to: file)
        #expect {
            _ = try E5Encoder(file: file)
        } throws: { error in
            "\(error)".contains("not-e5.bin") && "\(error)".contains("magic")
        }
    }

    @Test func catalogSaysWhatIsMissingAndHowToGetIt() throws {
        let empty = scratch.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let status = TextEncoderCatalog.status(modelsDirectory: empty)
        #expect(status.map(\.id) == ["multilingual-e5-small", "all-MiniLM-L6-v2"])
        #expect(status.allSatisfy { !$0.installed && $0.howToInstall?.contains("Scripts/setup") == true })
        #expect(status[1].missing.contains("all-MiniLM-L6-v2/model.safetensors"))
        #expect(try TextEncoderCatalog.defaultEncoder(modelsDirectory: empty) == nil)
        #expect {
            _ = try TextEncoderCatalog.load(id: "all-MiniLM-L6-v2", modelsDirectory: empty)
        } throws: { error in
            (error as? AtlasError)?.code == .notFound && "\(error)".contains("Scripts/setup")
        }
        #expect(throws: AtlasError.self) { try TextEncoderCatalog.load(id: "bert-huge", modelsDirectory: empty) }
    }

    @Test func modelsDirectoryComesFromTheEnvironmentFirst() {
        #expect(TextEncoderCatalog.defaultModelsDirectory(environment: ["ATLASQA_MODELS": "/srv/models"]).path == "/srv/models")
        let fromRepo = TextEncoderCatalog.defaultModelsDirectory(
            environment: [:], start: URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        #expect(fromRepo.lastPathComponent == "models")
        #expect(FileManager.default.fileExists(atPath: fromRepo.deletingLastPathComponent().appendingPathComponent("Package.swift").path))
    }
}
