import Foundation
public import Hummingbird
public import Store
import AtlasCore

/// Who is calling: an API key's id and role, or the anonymous local user of a keyless loopback server.
public struct Caller: Sendable, Hashable {
    public var keyID: String?
    public var role: AccessRole

    /// Conversations belong to this: the key id, or one shared local owner without keys.
    public var owner: String { keyID.map { "key:\($0)" } ?? "local" }

    func require(_ role: AccessRole) throws {
        guard self.role >= role else {
            throw AtlasError(.forbidden, "this API key has the role '\(self.role.rawValue)'; this needs '\(role.rawValue)'")
        }
    }
}

/// The request context of every route: Hummingbird's core storage plus the authenticated caller.
public struct AtlasRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AccessMiddleware` for `/v1` routes.
    public var caller: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
        caller = nil
    }

    func requireCaller(_ role: AccessRole) throws -> Caller {
        guard let caller else { throw AtlasError(.unauthorized, "this route needs an API key (Authorization: Bearer …)") }
        try caller.require(role)
        return caller
    }
}

/// Authenticates `/v1` requests from `Authorization: Bearer <key>`. With no key ever created and a
/// loopback listener, every request acts as the local user (admin): that is a single-user install.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = AtlasRequestContext
    let store: AtlasStore
    let loopbackOnly: Bool

    func handle(
        _ request: Request, context: AtlasRequestContext,
        next: (Request, AtlasRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.caller = try authenticate(request.headers[.authorization])
        return try await next(request, context)
    }

    func authenticate(_ header: String?) throws -> Caller? {
        // No key ever created and a loopback listener: access control is off, whatever the client sends
        // (OpenAI's SDKs always send some key). Revoked keys count as created: revoking the last key locks.
        if loopbackOnly, try !store.hasAccessKeys(includingRevoked: true) { return Caller(keyID: nil, role: .admin) }
        guard let header, !header.isEmpty else {
            throw AtlasError(.unauthorized, "this server requires an API key: send Authorization: Bearer <key>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw AtlasError(.unauthorized, "the Authorization header must be 'Bearer <key>'")
        }
        guard let key = try store.authenticate(token: parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw AtlasError(.unauthorized, "the API key is unknown or revoked")
        }
        return Caller(keyID: key.id, role: key.role)
    }
}
