import AtlasCore
import Dispatch
import Foundation

/// A query's image embedding and question vectors, computed side by side: the two encoders are
/// independent and each is mostly single-threaded, so on two cores the pair costs about the slower one.
struct QueryEncoding: Sendable {
    var image: ImageEmbedding?
    /// One vector per text asked for, in order; empty when no text was encoded.
    var texts: [[Float]] = []
    /// Milliseconds each encoder took (`image`, `text`), measured on its own thread.
    var timings: Timings = [:]

    static func encode(
        image: (data: Data, name: String, encoder: any ImageEncoder)?,
        texts: [String], textEncoder: (any TextEncoder)?
    ) throws -> QueryEncoding {
        let box = Results()
        let encodeImage: @Sendable () -> Void = {
            guard let image else { return }
            let started = DispatchTime.now()
            let result = Result<ImageEmbedding, any Error> { try image.encoder.embed(imageData: image.data, name: image.name) }
            box.setImage(result, ms: milliseconds(since: started))
        }
        let encodeTexts: @Sendable () -> Void = {
            guard let textEncoder, !texts.isEmpty else { return }
            let started = DispatchTime.now()
            let result = Result<[[Float]], any Error> { try textEncoder.embed(texts, role: .query) }
            box.setTexts(result, ms: milliseconds(since: started))
        }
        if image != nil, textEncoder != nil, !texts.isEmpty {
            DispatchQueue.concurrentPerform(iterations: 2) { $0 == 0 ? encodeImage() : encodeTexts() }
        } else {
            encodeImage()
            encodeTexts()
        }
        return try box.encoding()
    }

    /// Where the two threads leave their results.
    /// `@unchecked Sendable`: every access to the stored results holds `lock`.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var image: Result<ImageEmbedding, any Error>?
        private var texts: Result<[[Float]], any Error>?
        private var timings: Timings = [:]

        func setImage(_ result: Result<ImageEmbedding, any Error>, ms: Double) {
            lock.withLock {
                image = result
                timings["image"] = ms
            }
        }

        func setTexts(_ result: Result<[[Float]], any Error>, ms: Double) {
            lock.withLock {
                texts = result
                timings["text"] = ms
            }
        }

        /// The image error first: it is the user's file that is at fault, and it names it.
        func encoding() throws -> QueryEncoding {
            try lock.withLock {
                QueryEncoding(image: try image?.get(), texts: try texts?.get() ?? [], timings: timings)
            }
        }
    }
}
