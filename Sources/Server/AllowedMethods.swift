import Foundation

/// Which methods each path of `/openapi.json` answers, so a known path asked with another method gets
/// 405 with `Allow` instead of the router's 404 (the document is the one list of routes).
enum AllowedMethods {
    struct Route {
        /// Path segments; `{name}` matches one segment, and a last `{file}` matches the rest (images may have folders).
        var segments: [Substring]
        var methods: [String]
    }

    static let routes: [Route] = {
        guard let document = try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any],
            let paths = document["paths"] as? [String: [String: Any]]
        else { return [] }
        return paths.map { path, operations in
            Route(
                segments: path.split(separator: "/"),
                methods: operations.keys.map { $0.uppercased() }.filter { ["GET", "POST", "PUT", "PATCH", "DELETE"].contains($0) }.sorted())
        }
    }()

    /// The methods the path answers, or nil when no route has this path.
    static func methods(forPath path: String) -> [String]? {
        let parts = path.split(separator: "/")
        let matching = routes.filter { matches($0.segments, parts) }
        guard !matching.isEmpty else { return nil }
        return Set(matching.flatMap(\.methods)).sorted()
    }

    static func matches(_ template: [Substring], _ parts: [Substring]) -> Bool {
        if let last = template.last, last == "{file}", parts.count >= template.count {
            return zip(template.dropLast(), parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        guard template.count == parts.count else { return false }
        return zip(template, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }
}
