import AtlasCore
import Foundation
import Testing
@testable import Server

@Suite struct JobGateTests {
    /// Holds a slot until released, so tests fill the gate deterministically.
    final class Latch: Sendable {
        let stream: AsyncStream<Void>
        let continuation: AsyncStream<Void>.Continuation
        init() { (stream, continuation) = AsyncStream<Void>.makeStream() }
        func wait() async { for await _ in stream { return } }
        func open() { continuation.yield(); continuation.finish() }
    }

    @Test func refusesPastTheQueueAndServesInOrder() async throws {
        let gate = JobGate(limit: 1, queueLimit: 2)
        let latch = Latch()
        let order = LockedState<[Int]>([])
        let first = Task { try await gate.run { await latch.wait(); order.withLock { $0.append(0) } } }
        while gate.running < 1 { await Task.yield() }
        let waiters = (1...2).map { i in
            Task {
                while gate.queued < i - 1 { await Task.yield() }
                try await gate.run { order.withLock { $0.append(i) } }
            }
        }
        while gate.queued < 2 { try await Task.sleep(for: .milliseconds(1)) }
        await #expect(throws: AtlasError.self) { try await gate.run { () } }
        latch.open()
        try await first.value
        for w in waiters { try await w.value }
        #expect(order.withLock { $0 } == [0, 1, 2])
        #expect(gate.running == 0 && gate.queued == 0)
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let gate = JobGate(limit: 1, queueLimit: 1)
        let latch = Latch()
        let holder = Task { try await gate.run { await latch.wait() } }
        while gate.running < 1 { await Task.yield() }
        let waiter = Task { try await gate.run { () } }
        while gate.queued < 1 { try await Task.sleep(for: .milliseconds(1)) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(gate.queued == 0)
        latch.open()
        try await holder.value
        #expect(gate.running == 0)
    }
}
