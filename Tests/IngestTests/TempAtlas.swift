import Foundation

/// A throwaway atlas folder under the temporary directory, removed when the test is done.
final class TempAtlas {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    @discardableResult
    func write(_ path: String, _ text: String) throws -> URL {
        try write(path, Data(text.utf8))
    }

    @discardableResult
    func write(_ path: String, _ data: Data) throws -> URL {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(path))
    }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// The 8-byte PNG signature plus filler: enough for the parser, which only checks magic bytes.
    static let pngHead = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
    static let jpegHead = Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16])
}

/// Words w1 w2 … joined by spaces, ending with a full stop.
func words(_ n: Int, prefix: String = "w") -> String {
    (1...n).map { "\(prefix)\($0)" }.joined(separator: " ") + "."
}

/// `n` distinct CJK ideographs (no punctuation).
func ideographs(_ n: Int, from start: UInt32 = 0x4E00) -> String {
    String(String.UnicodeScalarView((0..<UInt32(n)).map { Unicode.Scalar(start + $0 % 2000)! }))
}
