import Dispatch
import Foundation

/// Maps `body` over `items` on up to `workers` threads; results come back in input order.
/// Image embedding is CPU-bound and independent per image, so this is how ingest uses every core.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], workers: Int, _ body: @Sendable (T) -> R) -> [R] {
    let threads = min(max(workers, 1), items.count)
    guard threads > 1 else { return items.map(body) }
    let slots = ResultSlots<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        while let index = slots.claimNext() {
            slots.store(body(items[index]), at: index)
        }
    }
    return slots.results()
}

/// The work queue and results of one `parallelMap`.
/// `@unchecked Sendable`: every access to `next` and `values` holds `lock`.
private final class ResultSlots<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var values: [R?]

    init(count: Int) {
        values = Array(repeating: nil, count: count)
    }

    func claimNext() -> Int? {
        lock.withLock {
            guard next < values.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func store(_ value: R, at index: Int) {
        lock.withLock { values[index] = value }
    }

    func results() -> [R] {
        lock.withLock { values.map { $0! } }
    }
}
