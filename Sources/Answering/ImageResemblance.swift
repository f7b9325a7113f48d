import AtlasCore

/// The atlas entries a query image resembles, best first, from the image channel's scores on the references.
/// The extractive answer names them ("the image most resembles …") and lets them lead the quoted sentences.
enum ImageResemblance {
    struct Match {
        var entry: String
        var title: String
        /// The number of the entry's reference with its best image score.
        var n: Int
        var score: Float
    }

    /// One match per entry that has an image score; ties keep retrieval's order.
    static func ranked(_ references: [Reference]) -> [Match] {
        var best: [String: Match] = [:]
        var order: [String] = []
        for (index, reference) in references.enumerated() {
            guard let score = reference.scores.image else { continue }
            if let seen = best[reference.entry] {
                if score > seen.score { best[reference.entry] = Match(entry: reference.entry, title: reference.title, n: index + 1, score: score) }
            } else {
                best[reference.entry] = Match(entry: reference.entry, title: reference.title, n: index + 1, score: score)
                order.append(reference.entry)
            }
        }
        return order.enumerated().sorted { a, b in
            let sa = best[a.element]!.score, sb = best[b.element]!.score
            return sa != sb ? sa > sb : a.offset < b.offset
        }.map { best[$0.element]! }
    }
}
