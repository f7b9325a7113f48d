import Answering
import AtlasCore
import Foundation
import Retrieval
import Store
import Testing

/// Conversations end to end: a real SQLite index (atlas + conversations), the real `Retriever`
/// (lexical channel), the OpenAI-compatible decoder against the stand-in server.
@Suite("Conversations")
struct ConversationTests {
    /// A fresh index file with three small entries, in its own folder.
    final class ConversationAtlas {
        let folder: URL
        var path: String { folder.appendingPathComponent("atlas.sqlite").path }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-conversation-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let store = try AtlasStore(path: path)
            for (id, title, texts) in Self.entries {
                let passages = texts.enumerated().map { Passage(entryID: id, ordinal: $0.offset + 1, heading: "Microscopic features", text: $0.element) }
                let entry = Entry(id: id, title: title, source: "project-authored", passages: passages)
                try store.write(IngestRecord(entry: entry, contentHash: "hash-\(id)", images: [], passageVectors: [:]))
            }
        }

        deinit { try? FileManager.default.removeItem(at: folder) }

        static let entries: [(String, String, [String])] = [
            ("breast-dcis", "Ductal carcinoma in situ (breast)", [
                "In ductal carcinoma in situ the ducts are expanded by a monotonous proliferation of cells with evenly spaced nuclei.",
                "The myoepithelial layer and the basement membrane around each involved duct are retained in ductal carcinoma in situ.",
            ]),
            ("breast-idc", "Invasive ductal carcinoma (breast)", [
                "Irregular nests and cords of tumour cells infiltrate a desmoplastic stroma without a myoepithelial layer.",
                "Tumour cells invade through the basement membrane into the surrounding stroma and fat.",
            ]),
            ("colon-adenoma", "Tubular adenoma (colon)", [
                "Tubular adenoma shows crowded tubular glands lined by elongated, pencillate, hyperchromatic nuclei.",
            ]),
        ]
    }

    /// Records what each retrieval was asked with.
    final class AskedRequests: @unchecked Sendable {  // every access goes through the lock
        private let lock = NSLock()
        private var list: [AskRequest] = []
        func append(_ request: AskRequest) { lock.withLock { list.append(request) } }
        var all: [AskRequest] { lock.withLock { list } }
    }

    static func pipeline(_ store: AtlasStore, decoder: any AnswerDecoder, asked: AskedRequests) -> ConversationPipeline {
        let retrieve = AskPipeline.retrieveStep(Retriever(reader: store, imageEncoder: nil, textEncoder: nil), k: 4)
        let pipeline = AskPipeline(retrieve: { request in
            asked.append(request)
            return try await retrieve(request)
        }, decoder: decoder)
        return ConversationPipeline(pipeline: pipeline, store: store)
    }

    static let first = "What does ductal carcinoma in situ look like?"
    static let followUp = "Do these cells invade the basement membrane?"

    @Test("a follow-up is retrieved and prompted with the first turn, and both turns are stored")
    func twoTurns() async throws {
        let atlas = try ConversationAtlas()
        let store = try AtlasStore(path: atlas.path)
        try await withStandIn(model: "valid-citations") { standIn, decoder in
            let asked = AskedRequests()
            let conversations = Self.pipeline(store, decoder: decoder, asked: asked)

            let one = try await conversations.ask(AskRequest(question: Self.first), owner: "alice")
            let id = try #require(one.conversation)
            #expect(!one.decoder.fallback)
            let two = try await conversations.ask(AskRequest(question: Self.followUp, conversation: id), owner: "alice")
            #expect(two.conversation == id)

            // Retrieval: the follow-up carried the first turn, and it kept the thread on DCIS.
            #expect(asked.all.count == 2)
            #expect(asked.all[1].history == [ConversationTurn(question: Self.first, answer: one.answer)])
            let alone = try await AskPipeline.retrieveStep(Retriever(reader: store, imageEncoder: nil, textEncoder: nil), k: 4)(
                AskRequest(question: Self.followUp))
            // Lower is better: the summed positions of the DCIS passages among the references.
            let dcisPositions = { (refs: [Reference]) in
                refs.indices.filter { refs[$0].entry == "breast-dcis" }.reduce(0, +) + 10 * (2 - refs.filter { $0.entry == "breast-dcis" }.count)
            }
            #expect(
                dcisPositions(two.references) < dcisPositions(alone.references),
                "with context \(two.references.map(\.passage)), alone \(alone.references.map(\.passage))")

            // Prompt: the second request holds the first exchange as chat history, citations taken out.
            let received = try await standIn.requests()
            #expect(received.count == 2)
            let messages = received[1]["body"]?["messages"]?.arrayValue ?? []
            #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant", "user"])
            #expect(messages[1]["content"]?.stringValue == Self.first)
            let earlier = messages[2]["content"]?.stringValue ?? ""
            #expect(earlier.hasPrefix("The duct is expanded by a solid proliferation of monotonous cells."))
            #expect(!earlier.contains("[1]") && !earlier.contains(AnswerFraming.closingReminder(.en)))
            #expect(DecoderRequestTests.messageText(messages[3]).hasPrefix("Question: \(Self.followUp)"))

            // Storage: both turns, in order, with the references their [n] point at.
            let stored = try #require(try store.conversation(id: id, owner: "alice"))
            #expect(stored.turns.map(\.ordinal) == [1, 2])
            #expect(stored.turns.map(\.question) == [Self.first, Self.followUp])
            #expect(stored.turns[1].answer == two.answer)
            #expect(stored.turns[1].references == two.references)
        }
    }

    @Test("one owner cannot read or continue another's conversation")
    func ownership() async throws {
        let atlas = try ConversationAtlas()
        let store = try AtlasStore(path: atlas.path)
        let conversations = Self.pipeline(store, decoder: ExtractiveDecoder(), asked: AskedRequests())
        let answer = try await conversations.ask(AskRequest(question: Self.first), owner: "alice")
        let id = try #require(answer.conversation)

        #expect(try store.conversation(id: id, owner: "bob") == nil)
        await #expect {
            _ = try await conversations.ask(AskRequest(question: Self.followUp, conversation: id), owner: "bob")
        } throws: { error in
            (error as? AtlasError)?.code == .notFound && "\(error)" == "conversation '\(id)' not found"
        }
        #expect(throws: AtlasError.self) {
            try store.appendTurn(conversation: id, owner: "bob", question: "x", answer: "y", references: [])
        }
        // Alice's thread is untouched, and it survives reopening the file.
        let reopened = try AtlasStore(path: atlas.path)
        let stored = try #require(try reopened.conversation(id: id, owner: "alice"))
        #expect(stored.owner == "alice")
        #expect(stored.turns.map(\.question) == [Self.first])
        #expect(stored.turns[0].references == answer.references)
        #expect(try reopened.conversation(id: "no-such-id", owner: "alice") == nil)
    }
}
