import AtlasCore
import Foundation

/// Backpressure for ask/retrieve work: at most `limit` jobs run, at most `queueLimit` wait, and anything
/// past that is refused at once with `AtlasError(.busy)` (503 + Retry-After) — memory never grows unbounded.
/// Waiters are served first come, first served; a waiter whose request is cancelled leaves the queue.
public final class JobGate: Sendable {
    public let limit: Int
    public let queueLimit: Int
    private let state = LockedState(State())

    struct State {
        var running = 0
        var waiting: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }

    public init(limit: Int, queueLimit: Int) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
    }

    /// Jobs running now.
    public var running: Int { state.withLock { $0.running } }
    /// Jobs waiting for a slot now.
    public var queued: Int { state.withLock { $0.waiting.count } }

    /// Runs `body` when a slot is free; throws `.busy` when the queue is full.
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    func acquire() async throws {
        enum Admission { case now, wait(UInt64), refuse }
        let admission: Admission = state.withLock { s in
            if s.running < limit {
                s.running += 1
                return .now
            }
            guard s.waiting.count < queueLimit else { return .refuse }
            s.nextID += 1
            return .wait(s.nextID)
        }
        switch admission {
        case .now: return
        case .refuse:
            throw AtlasError(.busy, "the server is busy (\(limit) jobs running, \(queueLimit) waiting); try again shortly")
        case .wait(let id):
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let cancelled = state.withLock { s -> Bool in
                        if Task.isCancelled { return true }
                        s.waiting.append((id, continuation))
                        return false
                    }
                    if cancelled { continuation.resume(throwing: CancellationError()) }
                }
            } onCancel: {
                let removed = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                    guard let i = s.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                    return s.waiting.remove(at: i).continuation
                }
                removed?.resume(throwing: CancellationError())
            }
        }
    }

    /// Hands the slot to the first waiter, or frees it.
    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            if s.waiting.isEmpty {
                s.running -= 1
                return nil
            }
            return s.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}

/// Runs blocking CPU work (image decoding, encoders, exact search) on a Dispatch thread, so it never
/// occupies the cooperative pool that serves requests.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(with: Result { try work() })
        }
    }
}
