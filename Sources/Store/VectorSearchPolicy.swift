import Foundation
import LinearAlgebra

/// How the in-memory vector tables are searched. Small tables are scanned exactly (one sgemv over the
/// float32 matrix); from `int8MinimumRows` rows on, the int8 copy is scanned first and its best
/// `candidates` rows are rescored exactly, which streams a quarter of the bytes per query.
///
/// Every field has an environment variable (read by `fromEnvironment`):
/// `ATLASQA_VECTOR_SEARCH` (`auto` | `exact` | `int8`), `ATLASQA_RESCORE_CANDIDATES`,
/// `ATLASQA_INT8_MIN_ROWS`, `ATLASQA_SEARCH_THREADS`.
public struct VectorSearchPolicy: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// int8 + rescore from `int8MinimumRows` rows on, exact below.
        case auto
        /// Always the exact float32 scan (for comparison, or when every last neighbour matters).
        case exact
        /// Always int8 + rescore, whatever the size.
        case int8
    }

    public var mode: Mode
    /// int8 rows rescored exactly per query (at least k). 100 keeps recall@10 ≥ 0.99 on random and on
    /// clustered 384- and 512-d data (measured in VectorIndexTests and BENCHMARKS.md).
    public var candidates: Int
    /// Below this many rows exact search takes about a millisecond or less and int8 would save little
    /// (at 10k × 384 int8+rescore is already ~10× faster than the exact scan: BENCHMARKS.md).
    public var int8MinimumRows: Int
    /// Threads for the int8 scan; nil follows `BLASThreads.count` (the exact path's threads), so one
    /// setting bounds both and a server with one thread per request does not oversubscribe the cores.
    public var threads: Int?

    public static let defaultCandidates = 100
    public static let defaultInt8MinimumRows = 10_000

    public init(
        mode: Mode = .auto, candidates: Int = Self.defaultCandidates,
        int8MinimumRows: Int = Self.defaultInt8MinimumRows, threads: Int? = nil
    ) {
        self.mode = mode
        self.candidates = max(1, candidates)
        self.int8MinimumRows = max(0, int8MinimumRows)
        self.threads = threads.map { max(1, $0) }
    }

    /// The policy this process's environment asks for.
    public static func fromEnvironment() -> Self {
        from(environment: ProcessInfo.processInfo.environment)
    }

    /// The policy `environment` asks for; unset or malformed variables keep the defaults.
    public static func from(environment: [String: String]) -> Self {
        var policy = Self()
        if let mode = environment["ATLASQA_VECTOR_SEARCH"].flatMap({ Mode(rawValue: $0.lowercased()) }) { policy.mode = mode }
        if let value = environment["ATLASQA_RESCORE_CANDIDATES"].flatMap({ Int($0) }), value > 0 { policy.candidates = value }
        if let value = environment["ATLASQA_INT8_MIN_ROWS"].flatMap({ Int($0) }), value >= 0 { policy.int8MinimumRows = value }
        if let value = environment["ATLASQA_SEARCH_THREADS"].flatMap({ Int($0) }), value > 0 { policy.threads = value }
        return policy
    }

    /// Whether a table of `rows` rows is searched through its int8 copy.
    public func usesInt8(rows: Int) -> Bool {
        switch mode {
        case .auto: rows >= int8MinimumRows
        case .exact: false
        case .int8: true
        }
    }

    var scanThreads: Int { threads ?? BLASThreads.count }
}

extension AtlasStore {
    /// How this store's vector tables are searched (from the environment unless set).
    public var vectorSearch: VectorSearchPolicy {
        get { vectors.policy }
    }

    /// Changes how vector tables are searched from the next search on (e.g. exact for a comparison).
    public func setVectorSearch(_ policy: VectorSearchPolicy) {
        vectors.policy = policy
    }
}
