import ArgumentParser
import AtlasCore
import Foundation
import Store

/// `atlasqa keys create|list|revoke`: the server's API keys, stored hashed in the index file.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the server's API keys (stored hashed; a new key is shown once).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    static func openStore(_ options: GlobalOptions) throws -> AtlasStore {
        try AtlasStore(path: options.databasePath)
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "reader (ask, retrieve, entries, conversations), curator (also ingest) or admin.")
        var role = "reader"
        @Option(help: "A note to recognise the key by (who or what uses it).")
        var label: String?

        func run() async throws {
            try await Output.run(json: options.json) {
                guard let role = AccessRole(rawValue: role) else {
                    throw ValidationError("--role must be reader, curator or admin (got '\(self.role)')")
                }
                let issued = try KeysCommand.openStore(options).createAccessKey(role: role, label: label)
                if options.json {
                    try Output.json(CreatedKey(id: issued.key.id, role: issued.key.role, label: issued.key.label, key: issued.token))
                } else {
                    Output.line(issued.token)
                    Output.log("created key \(issued.key.id) (\(issued.key.role.rawValue)); it is shown only now — store it safely")
                }
            }
        }
    }

    struct CreatedKey: Encodable {
        var id: String
        var role: AccessRole
        var label: String?
        var key: String
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await Output.run(json: options.json) {
                let keys = try KeysCommand.openStore(options).accessKeys()
                if options.json {
                    try Output.json(keys)
                } else if keys.isEmpty {
                    Output.line("no API keys (the server accepts anonymous requests on loopback only)")
                } else {
                    let f = ISO8601DateFormatter()
                    for k in keys {
                        let state = k.revokedAt.map { "revoked \(f.string(from: $0))" } ?? "active"
                        Output.line("\(k.id)  \(k.role.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  created \(f.string(from: k.createdAt))  \(state)\(k.label.map { "  \($0)" } ?? "")")
                    }
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id; it stops working at once.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The key id (as `keys list` shows it).")
        var id: String

        func run() async throws {
            try await Output.run(json: options.json) {
                try KeysCommand.openStore(options).revokeAccessKey(id: id)
                if options.json { try Output.json(["revoked": id]) } else { Output.line("revoked \(id)") }
            }
        }
    }
}
