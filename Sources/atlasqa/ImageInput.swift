import AtlasCore
import Foundation

/// Reads a user's image file, with errors that name it.
enum ImageInput {
    static func read(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AtlasError(.badInput, "reading image '\(path)': no such file")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AtlasError(.badInput, "reading image '\(path)': \(error.localizedDescription)")
        }
    }

    static func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }
}
