/// What a streamed answer delivers: visible pieces as they arrive, then the whole answer.
public enum DecoderStreamEvent: Sendable, Hashable {
    case delta(String)
    case answer(DecodedAnswer)
}

extension OpenAIDecoder {
    /// The answer as an async sequence for the server's `text/event-stream` route. It ends with
    /// `.answer`, or throws the decoder's error; stopping iteration cancels the request.
    public func answerStream(_ request: DecodeRequest) -> AsyncThrowingStream<DecoderStreamEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: DecoderStreamEvent.self, throwing: (any Error).self)
        let task = Task {
            do {
                let answer = try await self.decode(request) { piece in continuation.yield(.delta(piece)) }
                continuation.yield(.answer(answer))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
