import Foundation

/// Finds an image an atlas names, refusing paths that leave the atlas folder and files that are not
/// PNG or JPEG, before any encoder sees them.
enum AtlasImageFile {
    /// The image's file, or a message saying why it cannot be used.
    /// - Parameters:
    ///   - name: the path as the atlas writes it, relative to `directory`.
    ///   - root: the atlas folder; the image must resolve (symlinks included) to a file inside it.
    static func locate(_ name: String, in directory: URL, root: URL) -> Result<URL, Failure> {
        guard !name.isEmpty else { return .failure(Failure("image path is empty")) }
        if name.hasPrefix("/") || name.hasPrefix("~") || name.contains("\\") || name.contains("\0") {
            return .failure(Failure("image path '\(name)' must be relative to the atlas (no absolute paths)"))
        }
        if name.split(separator: "/").contains("..") {
            return .failure(Failure("image path '\(name)' leaves the atlas folder ('..' is not allowed)"))
        }
        let url = directory.appendingPathComponent(name).standardizedFileURL
        let rootPath = root.standardizedFileURL.resolvingSymlinksInPath().path
        let resolved = url.resolvingSymlinksInPath().path
        guard resolved.hasPrefix(rootPath.hasSuffix("/") ? rootPath : rootPath + "/") else {
            return .failure(Failure("image '\(name)' resolves outside the atlas folder"))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            return .failure(Failure("image '\(name)' not found"))
        }
        guard !isDirectory.boolValue else { return .failure(Failure("image '\(name)' is a folder, not a file")) }
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = try handle.read(upToCount: 8) ?? Data()
        } catch {
            return .failure(Failure("cannot read image '\(name)': \(error.localizedDescription)"))
        }
        guard !head.isEmpty else { return .failure(Failure("image '\(name)' is empty (0 bytes)")) }
        guard format(ofHead: head) != nil else {
            return .failure(Failure("image '\(name)' is neither PNG nor JPEG (by its first bytes)"))
        }
        return .success(url)
    }

    enum Format {
        case png
        case jpeg
    }

    /// PNG or JPEG by magic bytes.
    static func format(ofHead head: Data) -> Format? {
        let bytes = [UInt8](head.prefix(8))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }

    struct Failure: Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
