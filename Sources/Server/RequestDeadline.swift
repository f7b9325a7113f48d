import AtlasCore
import Foundation
import Hummingbird

/// The per-request deadline (`serve --request-timeout`): queueing, retrieval and the answer together.
/// Past it the client gets 504 `timeout` at once and the work is cancelled: a queued job leaves the queue,
/// a decoder call is abandoned (its slot comes back as soon as it unwinds). Blocking retrieval on a Dispatch
/// thread cannot be interrupted; it finishes in the background and then frees its slot.
/// A decoder is held to a shorter deadline (`decoderDeadline`), so that once retrieval is done a slow model
/// gives way to the extractive answer — which still arrives in time — rather than to a 504.
struct RequestDeadline: Sendable {
    let start: ContinuousClock.Instant
    let limit: Duration

    init?(_ limit: Duration?, start: ContinuousClock.Instant = .now) {
        guard let limit, limit > .zero else { return nil }
        self.start = start
        self.limit = limit
    }

    var end: ContinuousClock.Instant { start + limit }
    /// Nine tenths of the budget: the rest is for the fallback answer, the checks and the response.
    var decoderDeadline: ContinuousClock.Instant { start + limit * 0.9 }

    var timeoutError: APIError {
        APIError(
            status: .gatewayTimeout, code: AtlasError.Code.timeout.rawValue,
            message: "the request took longer than the server's deadline of \(Self.describe(limit)) (queueing and retrieval included); it was cancelled")
    }

    static func describe(_ d: Duration) -> String {
        let (s, atto) = d.components
        let value = Double(s) + Double(atto) / 1e18
        return value.rounded() == value ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }

    /// Runs `work` until it returns or the deadline passes, whichever is first; then the work is cancelled
    /// and `timeoutError` thrown without waiting for it to unwind.
    func run<T: Sendable>(metrics: ServerMetrics?, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let once = ResumeOnce<T>()
        let deadline = end
        let timeout = timeoutError
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                once.set(continuation)
                let worker = Task {
                    let result = await Result { try await work() }
                    once.resume(with: result)
                }
                let timer = Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    guard !Task.isCancelled else { return }
                    if once.resume(with: .failure(timeout)) {
                        metrics?.requestTimedOut()
                        worker.cancel()
                    }
                }
                once.onFinish { worker.cancel(); timer.cancel() }
            }
        } onCancel: {
            once.resume(with: .failure(CancellationError()))
        }
    }
}

/// A continuation resumed by whichever of several racers comes first; `onFinish` runs once it is.
final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var finished = false
        var cleanup: (@Sendable () -> Void)?
    }
    private let state = LockedState(State())

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        let pending = state.withLock { s -> Result<T, any Error>? in
            if let p = s.pending { return p }
            s.continuation = continuation
            return nil
        }
        if let pending { continuation.resume(with: pending) }
    }

    /// Registers cleanup for the racers; runs at once if a result is already in.
    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            if s.finished { return true }
            s.cleanup = cleanup
            return false
        }
        if now { cleanup() }
    }

    /// True when this result won.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let (won, continuation, cleanup) = state.withLock { s -> (Bool, CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !s.finished else { return (false, nil, nil) }
            s.finished = true
            let c = s.continuation
            s.continuation = nil
            if c == nil { s.pending = result }
            let cleanup = s.cleanup
            s.cleanup = nil
            return (true, c, cleanup)
        }
        continuation?.resume(with: result)
        cleanup?()
        return won
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
