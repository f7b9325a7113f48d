import Foundation

/// One lock and the state it guards (the server's counters and queues, caches keyed by encoder).
/// `@unchecked Sendable` is sound because the value is only reached through `withLock`, which holds the
/// lock for the whole access.
public final class LockedState<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
