import AtlasCore
import Encoders
import Foundation
import Imaging
import Retrieval
import Store

/// The wiring every command shares: the index file, the encoders that built it, and the retriever over them.
struct Pipeline {
    let store: AtlasStore
    let imageEncoder: HistologyDescriptor
    let textEncoder: (any TextEncoder)?
    let retriever: Retriever

    /// - Parameters:
    ///   - writable: open the index for writing (ingest, conversations).
    ///   - forIngest: choose the text encoder for embedding passages (`textEncoderID`, else the default);
    ///     otherwise queries use the encoder the index was built with.
    ///   - textEncoderID: the text encoder to use (`none` for lexical only).
    init(options: GlobalOptions, writable: Bool, forIngest: Bool = false, textEncoderID: String? = nil) throws {
        let path = options.databasePath
        // Only ingest creates an index; every other command needs one that exists.
        if !forIngest && !FileManager.default.fileExists(atPath: path) {
            throw AtlasError(.notFound, "opening atlas index '\(path)': no such file — run `atlasqa ingest` first, or pass --db")
        }
        store = try AtlasStore(path: path, readOnly: !writable)
        imageEncoder = Self.imageEncoder()
        textEncoder = try Self.textEncoder(
            requested: textEncoderID, recorded: try store.encoders().filter { $0.modality == .text }.map(\.id),
            modelsDirectory: options.modelsDirectory, forIngest: forIngest
        )
        retriever = Retriever(reader: store, imageEncoder: imageEncoder, textEncoder: textEncoder)
    }

    /// The pixel budget for every image the app decodes (`ATLASQA_MAX_PIXELS`, default 64 megapixels).
    static var imageLimits: ImageLimits {
        ImageLimits(maxPixels: Environment.int("ATLASQA_MAX_PIXELS") ?? 64_000_000)
    }

    /// The built-in image encoder within the pixel budget.
    static func imageEncoder() -> HistologyDescriptor {
        HistologyDescriptor(limits: imageLimits)
    }

    /// Picks the text encoder. An index answers queries only with the encoder that embedded its passages;
    /// a fresh ingest takes the requested one, else the default (E5 when installed, else MiniLM).
    static func textEncoder(requested: String?, recorded: [String], modelsDirectory: URL, forIngest: Bool) throws -> (any TextEncoder)? {
        if requested == "none" { return nil }
        if let id = requested { return try TextEncoderCatalog.load(id: id, modelsDirectory: modelsDirectory) }
        let preference = ["multilingual-e5-small", "all-MiniLM-L6-v2"]
        if let id = preference.first(where: recorded.contains) ?? recorded.first {
            do {
                return try TextEncoderCatalog.load(id: id, modelsDirectory: modelsDirectory)
            } catch {
                Output.log("warning: the index was built with text encoder \(id) but it cannot be loaded (\(error)); dense text search is off")
                return nil
            }
        }
        return forIngest ? try TextEncoderCatalog.defaultEncoder(modelsDirectory: modelsDirectory) : nil
    }
}
