import AtlasCore
import Foundation

/// Reads a user's image file, with errors that name it.
enum ImageInput {
    static func read(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AtlasError(.badInput, "reading image '\(path)': no such file")
        }
        // Foundation says only "NSCocoaErrorDomain error 256" for these two.
        guard !isDirectory.boolValue else {
            throw AtlasError(.badInput, "reading image '\(path)': it is a directory, not an image file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw AtlasError(.badInput, "reading image '\(path)': permission denied")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AtlasError(.badInput, "reading image '\(path)': \(error.localizedDescription)")
        }
    }

    static func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }
}
