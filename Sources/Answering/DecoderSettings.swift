public import AtlasCore
public import Foundation

/// How to reach and drive an OpenAI-compatible vision-language decoder (vLLM, SGLang, llama.cpp's
/// server, Ollama, LM Studio, Zhipu's API). Every field has an `ATLASQA_DECODER_*` variable.
public struct DecoderSettings: Sendable, Hashable {
    /// The API base as OpenAI's SDKs take it, ending in `/v1`; the client posts to `<base>/chat/completions`.
    public var baseURL: String
    public var model: String
    /// Sent as `Authorization: Bearer <key>` when present.
    public var apiKey: String?
    public var temperature: Double?
    public var maxTokens: Int?
    /// Merged into the request body last, so it may override any of our keys.
    public var extraBody: [String: JSONValue]
    /// Connecting to the server (TCP, and TLS for https).
    public var connectTimeout: Duration
    /// The whole answer, from sending the request to the last byte.
    public var deadline: Duration
    /// A streamed answer that sends nothing for this long is cut off.
    public var streamIdleTimeout: Duration
    public var stream: Bool
    /// Estimated tokens for the text of the prompt: rules, question, references and earlier turns
    /// (the image's tokens are the model's own affair and not counted).
    public var promptTokenBudget: Int
    /// The uploaded image is downscaled so that its longer side is at most this many pixels.
    public var maxImageSide: Int
    /// Extra HTTP headers (a gateway's own key header, an organisation id); `ATLASQA_DECODER_HEADERS` as a JSON object.
    public var headers: [String: String] = [:]

    public static let defaultModel = "zai-org/GLM-4.6V-Flash"

    public init(
        baseURL: String, model: String = DecoderSettings.defaultModel, apiKey: String? = nil,
        temperature: Double? = 0.2, maxTokens: Int? = 1024, extraBody: [String: JSONValue]? = nil,
        connectTimeout: Duration = .seconds(5), deadline: Duration = .seconds(60),
        streamIdleTimeout: Duration = .seconds(20), stream: Bool = true, promptTokenBudget: Int = 6000,
        maxImageSide: Int = 1024
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.extraBody = extraBody ?? Self.defaultExtraBody(model: model)
        self.connectTimeout = connectTimeout
        self.deadline = deadline
        self.streamIdleTimeout = streamIdleTimeout
        self.stream = stream
        self.promptTokenBudget = promptTokenBudget
        self.maxImageSide = maxImageSide
    }

    /// GLM-4.xV thinks aloud by default; its chat template takes `enable_thinking` to turn that off,
    /// which saves most of the answer's time on a CPU. Other models get nothing extra.
    public static func defaultExtraBody(model: String) -> [String: JSONValue] {
        guard model.lowercased().contains("glm") else { return [:] }
        return ["chat_template_kwargs": .object(["enable_thinking": .bool(false)])]
    }

    /// `<base>/chat/completions`, whatever trailing slash the base was given with.
    public var chatCompletionsURL: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/chat/completions"
    }

    /// Settings from `ATLASQA_DECODER_*`; nil when `ATLASQA_DECODER_URL` is unset or empty, which
    /// means "no decoder configured" (the extractive decoder answers). Bad values are reported, not ignored.
    /// `baseURL` (a `--decoder-url` flag) stands in for `ATLASQA_DECODER_URL`: the other variables
    /// (deadline, timeouts, stream, key…) still apply.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, baseURL: String? = nil
    ) throws(DecoderSettingsError) -> DecoderSettings? {
        func value(_ name: String) -> String? {
            guard let v = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
                return nil
            }
            return v
        }
        guard let url = baseURL ?? value("ATLASQA_DECODER_URL") else { return nil }
        var settings = DecoderSettings(baseURL: url, model: value("ATLASQA_DECODER_MODEL") ?? defaultModel)
        settings.apiKey = value("ATLASQA_DECODER_API_KEY")
        if let v = value("ATLASQA_DECODER_TEMPERATURE") { settings.temperature = try number(v, "ATLASQA_DECODER_TEMPERATURE") }
        if let v = value("ATLASQA_DECODER_MAX_TOKENS") { settings.maxTokens = try integer(v, "ATLASQA_DECODER_MAX_TOKENS") }
        if let v = value("ATLASQA_DECODER_EXTRA_BODY") {
            guard let object = JSONValue.object(parsing: v) else {
                throw DecoderSettingsError("ATLASQA_DECODER_EXTRA_BODY must be a JSON object, got '\(v)'")
            }
            settings.extraBody = object
        }
        if let v = value("ATLASQA_DECODER_CONNECT_TIMEOUT") {
            settings.connectTimeout = try seconds(v, "ATLASQA_DECODER_CONNECT_TIMEOUT")
        }
        if let v = value("ATLASQA_DECODER_DEADLINE") { settings.deadline = try seconds(v, "ATLASQA_DECODER_DEADLINE") }
        if let v = value("ATLASQA_DECODER_IDLE_TIMEOUT") {
            settings.streamIdleTimeout = try seconds(v, "ATLASQA_DECODER_IDLE_TIMEOUT")
        }
        if let v = value("ATLASQA_DECODER_STREAM") {
            switch v.lowercased() {
            case "1", "true", "yes", "on": settings.stream = true
            case "0", "false", "no", "off": settings.stream = false
            default: throw DecoderSettingsError("ATLASQA_DECODER_STREAM must be true or false, got '\(v)'")
            }
        }
        if let v = value("ATLASQA_DECODER_TOKEN_BUDGET") {
            settings.promptTokenBudget = try integer(v, "ATLASQA_DECODER_TOKEN_BUDGET")
        }
        if let v = value("ATLASQA_DECODER_HEADERS") {
            guard let object = JSONValue.object(parsing: v) else {
                throw DecoderSettingsError("ATLASQA_DECODER_HEADERS must be a JSON object of strings, got '\(v)'")
            }
            for (name, value) in object {
                guard let text = value.stringValue else {
                    throw DecoderSettingsError("ATLASQA_DECODER_HEADERS: the value of '\(name)' is not a string")
                }
                settings.headers[name] = text
            }
        }
        if let v = value("ATLASQA_DECODER_MAX_IMAGE_SIDE") {
            settings.maxImageSide = try integer(v, "ATLASQA_DECODER_MAX_IMAGE_SIDE")
        }
        try settings.validate()
        return settings
    }

    /// Checks what would otherwise fail later with a less clear message.
    public func validate() throws(DecoderSettingsError) {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw DecoderSettingsError(
                "decoder URL '\(baseURL)' is not an http(s) URL; give the API base, e.g. http://127.0.0.1:8000/v1")
        }
        if baseURL.hasSuffix("/chat/completions") {
            throw DecoderSettingsError(
                "decoder URL '\(baseURL)' should be the API base ending in /v1, without /chat/completions")
        }
        guard !model.isEmpty else { throw DecoderSettingsError("decoder model name is empty") }
        guard promptTokenBudget >= 256 else {
            throw DecoderSettingsError("decoder token budget \(promptTokenBudget) is too small (at least 256)")
        }
        guard maxImageSide >= 64 else { throw DecoderSettingsError("decoder max image side \(maxImageSide) is below 64 px") }
    }

    static func number(_ text: String, _ name: String) throws(DecoderSettingsError) -> Double {
        guard let n = Double(text), n.isFinite else { throw DecoderSettingsError("\(name) must be a number, got '\(text)'") }
        return n
    }

    static func integer(_ text: String, _ name: String) throws(DecoderSettingsError) -> Int {
        guard let n = Int(text), n > 0 else { throw DecoderSettingsError("\(name) must be a positive integer, got '\(text)'") }
        return n
    }

    static func seconds(_ text: String, _ name: String) throws(DecoderSettingsError) -> Duration {
        let n = try number(text, name)
        guard n > 0 else { throw DecoderSettingsError("\(name) must be a positive number of seconds, got '\(text)'") }
        return .milliseconds(Int64((n * 1000).rounded()))
    }
}

/// A decoder setting that cannot be used, naming the setting and the value.
public struct DecoderSettingsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
