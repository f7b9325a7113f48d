import ArgumentParser
import AtlasCore
import Foundation
import Store

/// `atlasqa audit`: the server's append-only log of who asked what, and what came back.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the server's audit log (route, key, question, image hash, entries returned, decoder, status, latency)."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Only rows at or after this time: ISO 8601 (2026-11-29T08:00:00Z), a date (2026-11-29), or an age (30m, 24h, 7d).")
    var since: String?

    @Option(help: "Only rows of this API key id.")
    var key: String?

    func run() async throws {
        try await Output.run(json: options.json) {
            let sinceDate = try since.map(Self.parseSince)
            let store = try AtlasStore(path: options.databasePath, readOnly: true)
            let records = try store.auditRecords(since: sinceDate, keyID: key)
            if options.json {
                try Output.json(records)
                return
            }
            let f = ISO8601DateFormatter()
            for r in records {
                let question = (r.question ?? "").replacingOccurrences(of: "\n", with: " ")
                Output.line(
                    "\(f.string(from: r.time))  \(r.status)  \(r.route)  key=\(r.keyID ?? "-")  \(Int(r.latencyMs.rounded())) ms"
                        + "  decoder=\(r.decoder ?? "-")  image=\(r.imageSHA256.map { String($0.prefix(12)) } ?? "-")\(r.imageFile.map { " kept=\($0)" } ?? "")"
                        + "  entries=\(r.entryIDs.joined(separator: ","))  q=\"\(question.prefix(80))\"")
            }
        }
    }

    static func parseSince(_ text: String) throws -> Date {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        if let date = day.date(from: text) { return date }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last, let scale = units[unit], let n = Double(text.dropLast()), n >= 0 {
            return Date().addingTimeInterval(-n * scale)
        }
        throw ValidationError("--since '\(text)': expected an ISO 8601 time, a date (yyyy-MM-dd) or an age like 24h")
    }
}
