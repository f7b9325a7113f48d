import ArgumentParser
import LinearAlgebra

@main
struct AtlasQA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atlasqa",
        abstract: "Answers questions about pathology images, grounded in a reference atlas.",
        discussion: """
            Reference material to support a pathologist; it suggests and cites, it never diagnoses.
            Every command takes --db (default $ATLASQA_DB, else ./atlasqa.sqlite) and --json.
            """,
        subcommands: [
            IngestCommand.self, RetrieveCommand.self, AskCommand.self, ShowCommand.self, EmbedCommand.self, ModelsCommand.self,
            ServeCommand.self,
            KeysCommand.self,
            AuditCommand.self,
        ]
    )

    static func main() async {
        // One BLAS thread by default: the CLI and server parallelise above BLAS (images, requests).
        BLASThreads.set(Environment.int("ATLASQA_BLAS_THREADS") ?? 1)
        ArgumentEncoding.requireUTF8()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
