import AtlasCore
import Foundation
import Hummingbird
import NIOCore
import Store

/// `GET /v1/entries/{id}`, its images, and `GET /v1/conversations/{id}`.
struct EntryRoutes: Sendable {
    let services: AtlasServices

    func register(on router: RouterGroup<AtlasRequestContext>) {
        router.get("entries/:id") { request, context in try entry(context) }
        // `**`: JSON Lines atlases name images with folders ("ADI/a.png"). The name is only ever a key
        // looked up in the index, never a file path, so "../" cannot reach the file system.
        router.get("entries/:id/images/**") { request, context in try image(context) }
        router.get("conversations/:id") { request, context in try conversation(context) }
    }

    func entry(_ context: AtlasRequestContext) throws -> Response {
        _ = try context.requireCaller(.reader)
        let id = try context.parameters.require("id")
        guard let entry = try services.store.entry(id: id) else {
            throw AtlasError(.notFound, "entry '\(id)' is not in the atlas")
        }
        return JSONBody.response(entry)
    }

    func image(_ context: AtlasRequestContext) throws -> Response {
        _ = try context.requireCaller(.reader)
        let id = try context.parameters.require("id")
        let file = context.parameters.getCatchAll().joined(separator: "/")
        guard !file.isEmpty, let data = try services.store.imageData(entry: id, file: file) else {
            throw AtlasError(.notFound, "entry '\(id)' has no image '\(file)'")
        }
        return Response(
            status: .ok,
            headers: [.contentType: Self.mimeType(of: data), .cacheControl: "private, max-age=3600"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    func conversation(_ context: AtlasRequestContext) throws -> Response {
        let caller = try context.requireCaller(.reader)
        let id = try context.parameters.require("id")
        // Another owner's conversation reads as "not found": the id's existence is not confirmed.
        guard let conversation = try services.store.conversation(id: id, owner: caller.owner) else {
            throw AtlasError(.notFound, "conversation '\(id)' not found")
        }
        return JSONBody.response(ConversationBody(conversation))
    }

    /// By the stored bytes' signature, not the name.
    static func mimeType(of data: Data) -> String {
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        return "application/octet-stream"
    }
}

/// A conversation as the API shows it (the owner is the caller, so it is not repeated).
struct ConversationBody: Encodable {
    var id: String
    var createdAt: Date
    var turns: [StoredTurn]

    init(_ c: Conversation) {
        id = c.id
        createdAt = c.createdAt
        turns = c.turns
    }

    enum CodingKeys: String, CodingKey {
        case id, turns
        case createdAt = "created_at"
    }
}
