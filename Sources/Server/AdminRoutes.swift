import AtlasCore
import Foundation
import Hummingbird
import Store

/// Admin-only reads: `GET /v1/keys` (ids, roles, states — never secrets) and `GET /v1/audit`.
/// Keys are created and revoked with `atlasqa keys`, on the machine that holds the index.
struct AdminRoutes: Sendable {
    let services: AtlasServices

    func register(on router: RouterGroup<AtlasRequestContext>) {
        router.get("keys") { _, context in
            _ = try context.requireCaller(.admin)
            return JSONBody.response(["keys": try services.store.accessKeys()])
        }
        router.get("audit") { request, context in
            _ = try context.requireCaller(.admin)
            let since = try request.uri.queryParameters.get("since").map { text -> Date in
                guard let date = Self.date(String(text)) else {
                    throw AtlasError(.badInput, "since '\(text.prefix(40))' is not an ISO 8601 time (2026-11-29T08:00:00Z)")
                }
                return date
            }
            let key = request.uri.queryParameters.get("key").map { String($0) }
            return JSONBody.response(["records": try services.store.auditRecords(since: since, keyID: key)])
        }
    }

    /// An RFC 3339 time, with or without fractional seconds ("2026-11-29T08:00:00Z", "…T08:00:00.25+01:00").
    static func date(_ text: String) -> Date? {
        let whole = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        return whole.date(from: text) ?? fractional.date(from: text)
    }
}
