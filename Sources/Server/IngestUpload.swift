import AtlasCore
import Foundation
import Hummingbird

/// An atlas uploaded to `POST /v1/ingest`, unpacked into a private temporary folder for the ingester:
/// a JSON Lines body, a tar or tar.gz archive (as the body or a multipart file part) holding an atlas
/// folder or a .jsonl file with its images. The folder is removed when the job ends.
struct IngestUpload: Sendable {
    /// The private folder everything was written into.
    var folder: URL
    /// The atlas inside it: a folder atlas or a .jsonl file.
    var atlas: URL
    /// The name the client gave (multipart file name), else a name for the body's type.
    var name: String
    var bytes: Int
    var sha256: String
    var format: String

    struct Limits: Sendable {
        /// Largest unpacked archive (all its files together).
        var maxUnpackedBytes: Int
    }

    /// Types accepted as a raw body; multipart uploads are told apart by their file name and bytes.
    static let jsonLinesTypes = ["application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-lines", "application/x-ndjson+json"]
    static let archiveTypes = ["application/x-tar", "application/tar", "application/gzip", "application/x-gzip", "application/x-gtar", "application/x-compressed-tar", "application/tar+gzip", "application/octet-stream"]

    /// Writes and unpacks the upload; throws a 4xx `APIError`/`AtlasError` naming the fault, having removed what it wrote.
    static func receive(body: Data, contentType: String?, limits: Limits) throws -> IngestUpload {
        let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var payload = body
        var name: String
        var isJSONLines: Bool
        if type == "multipart/form-data" {
            guard let boundary = MultipartForm.boundary(fromContentType: contentType ?? "") else {
                throw AtlasError(.badInput, "reading the upload: multipart/form-data without a boundary parameter")
            }
            let form: MultipartForm
            do { form = try MultipartForm(data: body, boundary: boundary) } catch { throw AtlasError(.badInput, error.description) }
            guard let part = form.part(named: "atlas") ?? form.parts.first(where: { $0.filename != nil }) else {
                throw AtlasError(.badInput, "reading the upload: no file part (send the archive or .jsonl as the form field 'atlas')")
            }
            payload = part.body
            name = part.filename.map(ImageDataURL.safeName) ?? "atlas"
            isJSONLines = name.lowercased().hasSuffix(".jsonl") || name.lowercased().hasSuffix(".ndjson")
                || jsonLinesTypes.contains(part.contentType?.lowercased() ?? "")
        } else if jsonLinesTypes.contains(type) {
            name = "atlas.jsonl"
            isJSONLines = true
        } else if archiveTypes.contains(type) {
            name = Gunzip.isGzip(body) ? "atlas.tar.gz" : "atlas.tar"
            isJSONLines = false
        } else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_type",
                message: "reading the upload: content type '\(type.prefix(80))' is not accepted (send application/x-ndjson, application/x-tar, application/gzip or multipart/form-data with a file field 'atlas')")
        }
        guard !payload.isEmpty else { throw AtlasError(.badInput, "reading the upload '\(name)': it is empty") }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-ingest-\(UUID().uuidString.lowercased())")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let atlas: URL
            if isJSONLines {
                atlas = folder.appendingPathComponent("atlas.jsonl")
                try payload.write(to: atlas)
            } else {
                atlas = try unpack(payload, name: name, into: folder, limits: limits)
            }
            return IngestUpload(
                folder: folder, atlas: atlas, name: name, bytes: payload.count, sha256: SHA256.hexDigest(payload),
                format: atlas.pathExtension == "jsonl" ? "jsonl" : "folder")
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// Inflates (when gzip) and unpacks the archive under `folder/files`, then finds the atlas in it.
    static func unpack(_ payload: Data, name: String, into folder: URL, limits: Limits) throws -> URL {
        let files = folder.appendingPathComponent("files")
        var tar = payload
        if Gunzip.isGzip(payload) {
            let inflated = folder.appendingPathComponent("upload.tar")
            try Gunzip.inflate(payload, to: inflated, limit: limits.maxUnpackedBytes + (64 << 20), name: name)
            tar = try Data(contentsOf: inflated, options: .alwaysMapped)
        }
        try TarArchive.extract(tar, into: files, limits: .init(maxBytes: limits.maxUnpackedBytes), name: name)
        return try locateAtlas(in: files, archive: name)
    }

    /// The atlas in an unpacked archive: a single .jsonl file, or a folder whose subfolders hold entry.md
    /// files — at the top or inside one wrapping folder (`tar czf atlas.tar.gz MyAtlas/`).
    static func locateAtlas(in root: URL, archive: String) throws -> URL {
        let fm = FileManager.default
        var folder = root
        for _ in 0..<4 {
            let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") && $0 != "__MACOSX" }.sorted()
            let jsonl = names.filter { $0.lowercased().hasSuffix(".jsonl") }
            if jsonl.count == 1 { return folder.appendingPathComponent(jsonl[0]) }
            if jsonl.count > 1 {
                throw TarArchive.refuse(archive, "it holds several .jsonl files (\(jsonl.prefix(5).joined(separator: ", "))); upload one atlas at a time")
            }
            let dirs = names.filter { isDirectory(folder.appendingPathComponent($0)) }
            if dirs.contains(where: { fm.fileExists(atPath: folder.appendingPathComponent($0).appendingPathComponent("entry.md").path) }) {
                return folder
            }
            guard dirs.count == 1 else { break }
            folder = folder.appendingPathComponent(dirs[0])
        }
        throw TarArchive.refuse(archive, "it holds neither an atlas folder (one folder per entry, each with an entry.md) nor a .jsonl file")
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
