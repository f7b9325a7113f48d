import Answering
import AtlasCore
import Foundation

/// The server's decoder for one request: the configured decoder, held to the request's decoder deadline
/// and, for streamed answers, forwarding the model's visible text as it arrives (`onDelta`). A missed
/// deadline throws, so `AnswerComposer` falls back to the extractive answer and says why.
struct RequestDecoder: AnswerDecoder {
    let inner: any AnswerDecoder
    let deadline: ContinuousClock.Instant?
    let onDelta: (@Sendable (String) async -> Void)?
    let metrics: ServerMetrics

    /// Whether the configured decoder streams its own text (an OpenAI-compatible model does; the
    /// extractive decoder writes the answer at once and the route streams pieces of it).
    var streamsDeltas: Bool { onDelta != nil && inner is OpenAIDecoder }

    func decode(_ request: DecodeRequest) async throws -> DecodedAnswer {
        do {
            return try await decodeWithinDeadline(request)
        } catch {
            if !(inner is ExtractiveDecoder) { metrics.decoderFailed() }
            throw error
        }
    }

    private func decodeWithinDeadline(_ request: DecodeRequest) async throws -> DecodedAnswer {
        let inner = self.inner
        let onDelta = streamsDeltas ? self.onDelta : nil
        let work: @Sendable () async throws -> DecodedAnswer = {
            if let onDelta, let openAI = inner as? OpenAIDecoder { return try await openAI.decode(request, onDelta: onDelta) }
            return try await inner.decode(request)
        }
        // The extractive decoder takes milliseconds and is the fallback itself: no deadline to hold it to.
        guard let deadline, !(inner is ExtractiveDecoder) else { return try await work() }
        guard deadline > .now else { throw Self.lateError }
        return try await withThrowingTaskGroup(of: DecodedAnswer?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                throw Self.lateError
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }

    static let lateError = AtlasError(.timeout, "the request's deadline left no time for the decoder")
}

extension AtlasServices {
    /// The shared composer with this request's decoder (deadline, streamed deltas).
    func requestComposer(deadline: RequestDeadline?, onDelta: (@Sendable (String) async -> Void)? = nil) -> (AnswerComposer, RequestDecoder) {
        let decoder = RequestDecoder(inner: self.composer.decoder, deadline: deadline?.decoderDeadline, onDelta: onDelta, metrics: metrics)
        let composer = AnswerComposer(
            decoder: decoder, fallback: self.composer.fallback, citationChecker: self.composer.citationChecker,
            wordingGuard: self.composer.wordingGuard)
        return (composer, decoder)
    }
}
