/// The retrieval channels whose rankings are fused.
public enum Channel: String, Sendable, Hashable, CaseIterable, Codable {
    case image
    case text
    case lexical
}

/// Weighted reciprocal-rank fusion: fused(p) = Σ_c w_c / (k + rank_c(p)), rank 1-based, over the channels
/// that ranked p. Ranks, not raw scores, are fused because cosine and BM25 live on different scales.
public struct FusionWeights: Sendable, Hashable {
    public var image: Float
    public var text: Float
    public var lexical: Float
    /// The RRF constant; 60 is the value from Cormack et al. (2009) and damps the head of each list.
    public var k: Float

    public init(image: Float = 1.0, text: Float = 1.0, lexical: Float = 1.0, k: Float = 60) {
        self.image = image
        self.text = text
        self.lexical = lexical
        self.k = k
    }

    public func weight(_ channel: Channel) -> Float {
        switch channel {
        case .image: image
        case .text: text
        case .lexical: lexical
        }
    }
}

/// One channel's ranked list: item id → (1-based rank, raw score). Tied items may share a rank.
public struct ChannelRanking<ID: Hashable & Sendable>: Sendable {
    public var channel: Channel
    public var ranks: [ID: (rank: Int, score: Float)]

    public init(channel: Channel, ranks: [ID: (rank: Int, score: Float)]) {
        self.channel = channel
        self.ranks = ranks
    }

    /// Ranks a best-first list: rank i+1 for the i-th item (first occurrence wins).
    public init(channel: Channel, bestFirst: [(id: ID, score: Float)]) {
        var ranks: [ID: (rank: Int, score: Float)] = [:]
        for (i, item) in bestFirst.enumerated() where ranks[item.id] == nil {
            ranks[item.id] = (i + 1, item.score)
        }
        self.init(channel: channel, ranks: ranks)
    }
}

public enum ReciprocalRankFusion {
    /// The fused score of every id ranked by at least one channel.
    public static func fuse<ID>(_ rankings: [ChannelRanking<ID>], weights: FusionWeights) -> [ID: Float] {
        var fused: [ID: Float] = [:]
        for ranking in rankings {
            let w = weights.weight(ranking.channel)
            guard w > 0 else { continue }
            for (id, entry) in ranking.ranks {
                fused[id, default: 0] += w / (weights.k + Float(entry.rank))
            }
        }
        return fused
    }
}
