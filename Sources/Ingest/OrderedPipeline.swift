import Dispatch
import Foundation

/// Runs `produce(i)` for `i` in `0..<count` on up to `workers` threads, never more than `lookahead` items
/// ahead of the consumer, and hands each result to `consume` on the calling thread in index order.
/// Ingest prepares windows of entries (decode, embed) this way while the caller writes the finished ones,
/// so the single-threaded parts (hashing, text batches, SQLite writes) overlap the image work.
/// If `consume` throws, no new item is started and the error is rethrown once the running ones finish.
func orderedPipeline<R: Sendable>(
    count: Int, workers: Int, lookahead: Int,
    produce: @escaping @Sendable (Int) -> R, consume: (Int, R) throws -> Void
) throws {
    guard count > 0 else { return }
    let threads = min(max(workers, 1), count)
    if threads == 1 {
        for i in 0..<count { try consume(i, produce(i)) }
        return
    }
    let state = PipelineState<R>(count: count, lookahead: max(lookahead, threads))
    let group = DispatchGroup()
    for _ in 0..<threads {
        DispatchQueue.global().async(group: group) {
            while let i = state.claim() { state.finish(i, produce(i)) }
        }
    }
    defer {
        state.cancel()
        group.wait()
    }
    for i in 0..<count { try consume(i, state.take(i)) }
}

/// The shared queue of one `orderedPipeline`.
/// `@unchecked Sendable`: every stored property is read and written only while holding `condition`.
private final class PipelineState<R: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private let lookahead: Int
    private var next = 0
    private var consumed = 0
    private var cancelled = false
    private var results: [Int: R] = [:]

    init(count: Int, lookahead: Int) {
        self.count = count
        self.lookahead = lookahead
    }

    /// The next index to produce, waiting while the producers are `lookahead` ahead; nil when done.
    func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled, next < count, next - consumed >= lookahead { condition.wait() }
        guard !cancelled, next < count else { return nil }
        defer { next += 1 }
        return next
    }

    func finish(_ i: Int, _ result: R) {
        condition.lock()
        results[i] = result
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for item `i` and removes it.
    func take(_ i: Int) -> R {
        condition.lock()
        defer { condition.unlock() }
        while results[i] == nil { condition.wait() }
        consumed = i + 1
        condition.broadcast()
        return results.removeValue(forKey: i)!
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
