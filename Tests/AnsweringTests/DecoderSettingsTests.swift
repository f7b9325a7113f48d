import Answering
import AtlasCore
import Testing

@Suite("Decoder settings")
struct DecoderSettingsTests {
    @Test("no URL: no decoder configured")
    func noURL() throws {
        #expect(try DecoderSettings.fromEnvironment([:]) == nil)
        #expect(try DecoderSettings.fromEnvironment(["ATLASQA_DECODER_URL": "  "]) == nil)
    }

    @Test("a URL selects the decoder, with the documented defaults")
    func defaults() throws {
        let settings = try #require(try DecoderSettings.fromEnvironment(["ATLASQA_DECODER_URL": "http://127.0.0.1:8000/v1/"]))
        #expect(settings.chatCompletionsURL == "http://127.0.0.1:8000/v1/chat/completions")
        #expect(settings.model == "zai-org/GLM-4.6V-Flash")
        #expect(settings.connectTimeout == .seconds(5))
        #expect(settings.deadline == .seconds(60))
        #expect(settings.streamIdleTimeout == .seconds(20))
        #expect(settings.maxImageSide == 1024)
        #expect(settings.stream)
        #expect(settings.extraBody == ["chat_template_kwargs": .object(["enable_thinking": .bool(false)])])
    }

    @Test("every variable is read")
    func variables() throws {
        let settings = try #require(
            try DecoderSettings.fromEnvironment([
                "ATLASQA_DECODER_URL": "https://open.bigmodel.cn/api/paas/v4",
                "ATLASQA_DECODER_MODEL": "glm-4.6v-flash",
                "ATLASQA_DECODER_API_KEY": "key",
                "ATLASQA_DECODER_TEMPERATURE": "0",
                "ATLASQA_DECODER_MAX_TOKENS": "256",
                "ATLASQA_DECODER_EXTRA_BODY": #"{"thinking": {"type": "disabled"}}"#,
                "ATLASQA_DECODER_DEADLINE": "90",
                "ATLASQA_DECODER_IDLE_TIMEOUT": "2.5",
                "ATLASQA_DECODER_CONNECT_TIMEOUT": "1",
                "ATLASQA_DECODER_STREAM": "off",
                "ATLASQA_DECODER_TOKEN_BUDGET": "3000",
                "ATLASQA_DECODER_MAX_IMAGE_SIDE": "768",
                "ATLASQA_DECODER_HEADERS": #"{"X-Org": "lab"}"#,
            ]))
        #expect(settings.model == "glm-4.6v-flash")
        #expect(settings.apiKey == "key")
        #expect(settings.temperature == 0)
        #expect(settings.maxTokens == 256)
        #expect(settings.extraBody == ["thinking": .object(["type": .string("disabled")])])
        #expect(settings.deadline == .seconds(90))
        #expect(settings.streamIdleTimeout == .milliseconds(2500))
        #expect(settings.connectTimeout == .seconds(1))
        #expect(!settings.stream)
        #expect(settings.promptTokenBudget == 3000)
        #expect(settings.maxImageSide == 768)
        #expect(settings.headers == ["X-Org": "lab"])
    }

    @Test("bad values are reported by name", arguments: [
        ("ATLASQA_DECODER_URL", "localhost:8000"),
        ("ATLASQA_DECODER_URL", "http://127.0.0.1:8000/v1/chat/completions"),
        ("ATLASQA_DECODER_MAX_TOKENS", "many"),
        ("ATLASQA_DECODER_EXTRA_BODY", "[1, 2]"),
        ("ATLASQA_DECODER_STREAM", "maybe"),
        ("ATLASQA_DECODER_DEADLINE", "-1"),
    ])
    func badValues(name: String, value: String) {
        var environment = ["ATLASQA_DECODER_URL": "http://127.0.0.1:8000/v1"]
        environment[name] = value
        #expect(throws: DecoderSettingsError.self) { try DecoderSettings.fromEnvironment(environment) }
        do {
            _ = try DecoderSettings.fromEnvironment(environment)
        } catch {
            let named = error.message.contains(name) || error.message.contains(value)
            #expect(named, "\(error.message)")
        }
    }
}
