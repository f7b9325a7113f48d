import AsyncHTTPClient
import AtlasCore
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Asks a vision-language model behind an OpenAI-compatible `POST <base>/chat/completions` (vLLM,
/// SGLang, llama.cpp's server, Ollama, LM Studio, Zhipu's API) to answer from the image and the
/// numbered references, streamed or not. Any failure — unreachable, an HTTP error, the deadline, a
/// stalled stream, malformed output, nothing written — throws `OpenAIDecoderError`; the composer then
/// falls back to the extractive answer and reports the reason.
///
/// Owns one `HTTPClient` (its connection pool is reused across questions): call `shutdown()` when
/// done, or use `withDecoder(settings:prepareImage:_:)`.
public final class OpenAIDecoder: AnswerDecoder {
    public let settings: DecoderSettings
    /// Downscales and re-encodes the image before sending; nil sends it as uploaded.
    public let prepareImage: ImagePayload.Preparation?
    let client: HTTPClient

    public init(settings: DecoderSettings, prepareImage: ImagePayload.Preparation? = nil) {
        self.settings = settings
        self.prepareImage = prepareImage
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: TimeAmount(settings.connectTimeout))
        configuration.redirectConfiguration = .disallow
        // A refused connection is a clear answer from a local decoder server: fall back at once rather
        // than retry until the connect timeout (AsyncHTTPClient's default, meant for flaky networks at scale).
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Closes the connection pool. The decoder cannot be used afterwards.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// A decoder for the duration of `body`, shut down afterwards whether `body` throws or not.
    public static func withDecoder<Result>(
        settings: DecoderSettings, prepareImage: ImagePayload.Preparation? = nil,
        _ body: (OpenAIDecoder) async throws -> Result
    ) async throws -> Result {
        let decoder = OpenAIDecoder(settings: settings, prepareImage: prepareImage)
        let result: Result
        do {
            result = try await body(decoder)
        } catch {
            try? await decoder.shutdown()
            throw error
        }
        try await decoder.shutdown()
        return result
    }

    public func decode(_ request: DecodeRequest) async throws -> DecodedAnswer {
        try await decode(request, onDelta: nil)
    }

    /// As `decode(_:)`, handing each visible piece of a streamed answer to `onDelta` as it arrives (box
    /// tokens and reasoning already taken out). Pieces may have been delivered before a failure is thrown.
    public func decode(
        _ request: DecodeRequest, onDelta: (@Sendable (String) async -> Void)?
    ) async throws -> DecodedAnswer {
        let endpoint = settings.chatCompletionsURL
        let prompt = PromptBuilder(tokenBudget: settings.promptTokenBudget).build(request)
        let image = try preparedImage(request, endpoint: endpoint)
        let body = try OpenAIRequestBody.encode(OpenAIRequestBody.make(prompt: prompt, image: image, settings: settings))

        var http = HTTPClientRequest(url: endpoint)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: settings.stream ? "text/event-stream" : "application/json")
        if let key = settings.apiKey { http.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in settings.headers.sorted(by: { $0.key < $1.key }) { http.headers.replaceOrAdd(name: name, value: value) }
        http.body = .bytes(ByteBuffer(bytes: body))

        let prepared = http
        let raw = try await withinLimits(endpoint: endpoint) { activity in
            try await self.exchange(prepared, endpoint: endpoint, activity: activity, onDelta: onDelta)
        }
        return try answer(from: raw, language: request.language, endpoint: endpoint)
    }

    // MARK: - Steps

    func preparedImage(_ request: DecodeRequest, endpoint: String) throws(OpenAIDecoderError) -> ImagePayload? {
        guard let data = request.image else { return nil }
        do {
            if let prepareImage { return try prepareImage(data, request.imageMimeType, settings.maxImageSide) }
            return try ImagePayload.asUploaded(data, mimeType: request.imageMimeType)
        } catch {
            throw OpenAIDecoderError(.image, "preparing the image for sending: \(error)", endpoint: endpoint)
        }
    }

    /// What the model wrote, before the visible text is taken out of it.
    struct RawAnswer: Sendable {
        var text: String
        var finishReason: String?
    }

    /// Sends the request and reads the answer, streamed or whole, whichever the server sends.
    func exchange(
        _ http: HTTPClientRequest, endpoint: String, activity: StreamActivity,
        onDelta: (@Sendable (String) async -> Void)?
    ) async throws -> RawAnswer {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(http, deadline: .now() + TimeAmount(settings.deadline))
        } catch {
            throw transportFailure(error, endpoint: endpoint, afterHead: false)
        }
        activity.touch()
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let body = try? await response.body.collect(upTo: 64 * 1024)
            let message = body.map { OpenAIResponse.errorMessage(in: Data($0.readableBytesView)) } ?? "no body"
            throw OpenAIDecoderError(
                .httpStatus, "HTTP \(status) \(response.status.reasonPhrase): \(message)", endpoint: endpoint,
                status: status)
        }
        let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
        do {
            if contentType.contains("text/event-stream") {
                return try await readStream(response.body, endpoint: endpoint, activity: activity, onDelta: onDelta)
            }
            let data = try await response.body.collect(upTo: 16 * 1024 * 1024)
            return try parseWhole(Data(data.readableBytesView), endpoint: endpoint)
        } catch {
            throw transportFailure(error, endpoint: endpoint, afterHead: true)
        }
    }

    func parseWhole(_ data: Data, endpoint: String) throws(OpenAIDecoderError) -> RawAnswer {
        let response: OpenAIResponse
        do {
            response = try OpenAIResponse.decode(data)
        } catch {
            throw OpenAIDecoderError(.malformed, "the response is not chat-completions JSON: \(Self.excerpt(data))", endpoint: endpoint)
        }
        if let error = response.error {
            throw OpenAIDecoderError(.refused, "the server answered with an error: \(OpenAIResponse.describe(error))", endpoint: endpoint)
        }
        guard let choice = response.choices?.first else {
            throw OpenAIDecoderError(.malformed, "the response has no choices: \(Self.excerpt(data))", endpoint: endpoint)
        }
        return RawAnswer(text: choice.message?.content ?? "", finishReason: choice.finishReason)
    }

    func readStream(
        _ body: HTTPClientResponse.Body, endpoint: String, activity: StreamActivity,
        onDelta: (@Sendable (String) async -> Void)?
    ) async throws -> RawAnswer {
        var parser = SSEParser()
        var visible = OpenAIVisibleText()
        var raw = RawAnswer(text: "")
        var done = false

        // Returns true at `[DONE]`.
        func handle(_ event: SSEEvent) async throws -> Bool {
            let data = event.data.trimmingCharacters(in: .whitespacesAndNewlines)
            if data == "[DONE]" { return true }
            if data.isEmpty { return false }
            let chunk: OpenAIResponse
            do {
                chunk = try OpenAIResponse.decode(Data(data.utf8))
            } catch {
                throw OpenAIDecoderError(.malformed, "a streamed chunk is not JSON: \(Self.excerpt(Data(data.utf8)))", endpoint: endpoint)
            }
            if let error = chunk.error {
                throw OpenAIDecoderError(.refused, "the server sent an error mid-stream: \(OpenAIResponse.describe(error))", endpoint: endpoint)
            }
            guard let choice = chunk.choices?.first else { return false }
            if let piece = choice.delta?.content ?? choice.message?.content, !piece.isEmpty {
                raw.text += piece
                let shown = visible.feed(piece)
                if !shown.isEmpty, let onDelta { await onDelta(shown) }
            }
            if let reason = choice.finishReason { raw.finishReason = reason }
            return false
        }

        reading: for try await buffer in body {
            activity.touch()
            for event in parser.feed(buffer.readableBytesView) {
                if try await handle(event) {
                    done = true
                    break reading
                }
            }
        }
        if !done {
            for event in parser.finish() {
                if try await handle(event) { done = true }
            }
        }
        guard done || raw.finishReason != nil else {
            throw OpenAIDecoderError(
                .interrupted, "the stream ended before the answer was complete (no finish_reason, no [DONE]) after \(raw.text.count) characters",
                endpoint: endpoint)
        }
        let rest = visible.finish()
        if !rest.isEmpty, let onDelta { await onDelta(rest) }
        return raw
    }

    /// The answer users see, or why there is none.
    func answer(from raw: RawAnswer, language: Language, endpoint: String) throws(OpenAIDecoderError) -> DecodedAnswer {
        if raw.finishReason == "sensitive" {
            throw OpenAIDecoderError(
                .refused, "the model stopped with finish_reason \"sensitive\" (its content filter refused the answer)",
                endpoint: endpoint)
        }
        var text = OpenAIVisibleText.clean(raw.text)
        guard !text.isEmpty else {
            let why = raw.text.isEmpty ? "the model returned no answer text" : "the model wrote only reasoning, no answer text"
            throw OpenAIDecoderError(.empty, why, endpoint: endpoint)
        }
        if raw.finishReason == "length" {
            // Cut off at max_tokens: say so where the reader sees it.
            text += language == .zh ? "……（回答被截断）" : " … (answer truncated)"
        }
        return DecodedAnswer(text: text, decoder: DecoderInfo(kind: .openai, model: settings.model))
    }

    // MARK: - Limits

    /// Runs `operation` until it finishes, the whole-answer deadline passes, or (streaming) nothing has
    /// arrived for the idle timeout — whichever is first; the loser is cancelled, closing the connection.
    func withinLimits<T: Sendable>(
        endpoint: String, _ operation: @escaping @Sendable (StreamActivity) async throws -> T
    ) async throws -> T {
        let clock = ContinuousClock()
        let activity = StreamActivity(clock.now)
        let deadline = clock.now + settings.deadline
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation(activity) }
            group.addTask {
                try await self.watch(activity, deadline: deadline, clock: clock, endpoint: endpoint)
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }

    func watch(_ activity: StreamActivity, deadline: ContinuousClock.Instant, clock: ContinuousClock, endpoint: String)
        async throws
    {
        while true {
            let now = clock.now
            if now >= deadline {
                throw OpenAIDecoderError(
                    .timeout, "no complete answer within the \(Self.seconds(settings.deadline)) deadline", endpoint: endpoint)
            }
            var wake = deadline
            if settings.stream {
                // Until the server has sent anything, connecting may take its own timeout first: silence
                // is only counted after it, so a slow connect is reported as such and not as a stall.
                let silence = settings.streamIdleTimeout + (activity.hasHeard ? .zero : settings.connectTimeout)
                let idleUntil = activity.last + silence
                if now >= idleUntil {
                    throw OpenAIDecoderError(
                        .stalled, "the server sent nothing for \(Self.seconds(silence)) (stream idle timeout)",
                        endpoint: endpoint)
                }
                // Before anything is heard, look again after each idle period: a head arriving meanwhile
                // moves the cut-off from connect + idle to idle after the last byte.
                wake = min(wake, activity.hasHeard ? idleUntil : min(idleUntil, now + settings.streamIdleTimeout))
            }
            try await Task.sleep(until: wake, clock: clock)
        }
    }

    // MARK: - Error wording

    func transportFailure(_ error: any Error, endpoint: String, afterHead: Bool) -> any Error {
        if error is OpenAIDecoderError || error is CancellationError { return error }
        if let e = error as? HTTPClientError {
            if e == .connectTimeout {
                return OpenAIDecoderError(
                    .unreachable,
                    "could not connect within \(Self.seconds(settings.connectTimeout)) (is the decoder server running at this address?)",
                    endpoint: endpoint)
            }
            if e == .deadlineExceeded {
                return OpenAIDecoderError(
                    .timeout, "no complete answer within the \(Self.seconds(settings.deadline)) deadline", endpoint: endpoint)
            }
            if e == .cancelled { return CancellationError() }
            if e == .remoteConnectionClosed {
                return OpenAIDecoderError(
                    .interrupted,
                    afterHead ? "the server closed the connection in the middle of the answer" : "the server closed the connection without answering",
                    endpoint: endpoint)
            }
        }
        if error is HTTPParserError {
            // A proxy's error page, a non-HTTP service on the port, a corrupted reply.
            return OpenAIDecoderError(
                .malformed, "the reply is not valid HTTP (\(error)); is this port an OpenAI-compatible server?", endpoint: endpoint)
        }
        let text = String(describing: error)
        if afterHead {
            return OpenAIDecoderError(.interrupted, "the connection broke in the middle of the answer: \(text)", endpoint: endpoint)
        }
        if text.lowercased().contains("refused") {
            return OpenAIDecoderError(
                .unreachable, "connection refused (is the decoder server running at this address?)", endpoint: endpoint)
        }
        return OpenAIDecoderError(.unreachable, "could not reach the server: \(text)", endpoint: endpoint)
    }

    static func seconds(_ d: Duration) -> String {
        let (s, atto) = d.components
        let value = Double(s) + Double(atto) / 1e18
        return value.rounded() == value ? "\(Int(value)) s" : String(format: "%.2f s", value)
    }

    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(120), as: UTF8.self)
        return "'" + text + (data.count > 120 ? "…'" : "'")
    }
}

/// When the last byte came from the server (or the request was sent, before any), and whether anything
/// has come yet; the watchdog reads it to cut off a stalled stream.
/// A lock-protected box: the reading task writes it, the watchdog task reads it.
final class StreamActivity: Sendable {
    private let state: NIOLockedValueBox<(last: ContinuousClock.Instant, heard: Bool)>

    init(_ start: ContinuousClock.Instant) {
        state = NIOLockedValueBox((start, false))
    }

    func touch() {
        state.withLockedValue { $0 = (ContinuousClock.now, true) }
    }

    var last: ContinuousClock.Instant { state.withLockedValue { $0.last } }
    var hasHeard: Bool { state.withLockedValue { $0.heard } }
}
