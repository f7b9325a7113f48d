import Foundation

/// Settings that come from the environment (every flag has one).
enum Environment {
    static func string(_ name: String) -> String? {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else { return nil }
        return v
    }

    static func int(_ name: String) -> Int? { string(name).flatMap(Int.init) }
}
