/// A row (or any item) index with its score.
public struct ScoredIndex: Sendable, Hashable {
    public var index: Int
    public var score: Float

    public init(index: Int, score: Float) {
        self.index = index
        self.score = score
    }

    /// Ranking order: higher score first, then lower index, so equal scores come out in a stable order.
    @inlinable
    public func ranksBefore(_ other: ScoredIndex) -> Bool {
        score > other.score || (score == other.score && index < other.index)
    }
}

/// The `k` best of `scores`, best first (ties: lower index first). Exact; NaN scores are never returned.
/// A bounded min-heap keeps this O(n log k) with O(k) memory, instead of sorting all n scores.
public func topK(_ scores: UnsafeBufferPointer<Float>, k: Int) -> [ScoredIndex] {
    guard k > 0, !scores.isEmpty else { return [] }
    var heap = WorstFirstHeap(capacity: Swift.min(k, scores.count))
    for (i, s) in scores.enumerated() where !s.isNaN {
        heap.offer(ScoredIndex(index: i, score: s))
    }
    return heap.sortedBestFirst()
}

/// The `k` best of `scores`, best first (ties: lower index first).
public func topK(_ scores: [Float], k: Int) -> [ScoredIndex] {
    scores.withUnsafeBufferPointer { topK($0, k: k) }
}

/// A min-heap by ranking order: the root is the worst kept item, the one a better candidate evicts.
struct WorstFirstHeap {
    private(set) var items: [ScoredIndex] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(capacity)
    }

    mutating func offer(_ candidate: ScoredIndex) {
        if items.count < capacity {
            items.append(candidate)
            siftUp(items.count - 1)
        } else if capacity > 0, candidate.ranksBefore(items[0]) {
            items[0] = candidate
            siftDown(0)
        }
    }

    func sortedBestFirst() -> [ScoredIndex] {
        items.sorted { $0.ranksBefore($1) }
    }

    /// True when `a` should sit above `b`: `a` is the worse of the two.
    private func worse(_ a: ScoredIndex, _ b: ScoredIndex) -> Bool { b.ranksBefore(a) }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard worse(items[child], items[parent]) else { return }
            items.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var worst = parent
            if left < items.count, worse(items[left], items[worst]) { worst = left }
            if right < items.count, worse(items[right], items[worst]) { worst = right }
            if worst == parent { return }
            items.swapAt(parent, worst)
            parent = worst
        }
    }
}
