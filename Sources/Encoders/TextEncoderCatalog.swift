public import AtlasCore
public import Foundation

/// The text encoders AtlasQA knows, where their files live, and which one to use by default.
public enum TextEncoderCatalog {
    /// Known encoder ids, the default first.
    public static var ids: [String] { ModelFiles.all.map(\.id) }

    /// `$ATLASQA_MODELS`, else `models/` in the first directory at or above `start` (the current
    /// directory by default) that holds `Package.swift`, else `./models`.
    public static func defaultModelsDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        start: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> URL {
        if let path = environment["ATLASQA_MODELS"], !path.isEmpty { return URL(fileURLWithPath: path) }
        var directory = start.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.appendingPathComponent("models")
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return start.appendingPathComponent("models")
    }

    /// Loads encoder `id` from `modelsDirectory`. Throws `AtlasError` `.badInput` for an unknown id,
    /// `.notFound` when its files are not installed, `.encoder` when they are corrupt (naming the file).
    public static func load(id: String, modelsDirectory: URL) throws -> any TextEncoder {
        guard let spec = ModelFiles.all.first(where: { $0.id == id }) else {
            throw AtlasError(.badInput, "unknown text encoder '\(id)' (known: \(ids.joined(separator: ", ")))")
        }
        let status = ModelFiles.status(spec, modelsDirectory: modelsDirectory)
        guard status.installed else {
            throw AtlasError(
                .notFound,
                "text encoder '\(id)' is not installed: missing \(status.missing.joined(separator: ", ")) in \(modelsDirectory.path); \(status.howToInstall ?? "")"
            )
        }
        let directory = modelsDirectory.appendingPathComponent(spec.directory)
        do {
            let hash = try ModelFiles.weightsHash(spec, modelsDirectory: modelsDirectory)
            switch spec.id {
            case E5Encoder.modelID:
                return try E5Encoder(file: directory.appendingPathComponent(spec.weights), weightsHash: hash)
            default:
                return try MiniLMEncoder(directory: directory, id: spec.id, weightsHash: hash)
            }
        } catch {
            throw AtlasError(.encoder, "loading text encoder '\(id)': \(error)")
        }
    }

    /// multilingual-e5-small when installed (Chinese questions reach English passages), else
    /// all-MiniLM-L6-v2, else nil. Throws when the chosen model's files are there but unreadable.
    public static func defaultEncoder(modelsDirectory: URL) throws -> (any TextEncoder)? {
        for spec in ModelFiles.all where ModelFiles.status(spec, modelsDirectory: modelsDirectory).installed {
            return try load(id: spec.id, modelsDirectory: modelsDirectory)
        }
        return nil
    }

    /// Every known encoder: installed or not, its files and checksums, and how to install it.
    public static func status(modelsDirectory: URL) -> [ModelStatus] {
        ModelFiles.all.map { ModelFiles.status($0, modelsDirectory: modelsDirectory) }
    }
}
