import ArgumentParser
import AtlasCore
import Foundation
import Ingest

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest an atlas folder or .jsonl file; re-ingest skips unchanged entries.",
        discussion: "Exit status: 0 all ingested, 1 error (nothing changed with --strict), 3 some entries were skipped."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "An atlas folder or a .jsonl file.")
    var path: String = "Atlas"

    @Flag(help: "Abort on the first bad entry, changing nothing.")
    var strict = false

    @Flag(help: "Remove entries the index holds that the atlas folder no longer has.")
    var prune = false

    @Option(name: .customLong("text-encoder"), help: "Text encoder for passages (default: multilingual-e5-small when installed, else all-MiniLM-L6-v2; 'none' for lexical only).")
    var textEncoder: String?

    func run() async throws {
        try await Output.run(json: options.json) {
            let pipeline = try Pipeline(options: options, writable: true, forIngest: true, textEncoderID: textEncoder ?? Environment.string("ATLASQA_TEXT_ENCODER"))
            let ingester = Ingester(
                writer: pipeline.store, imageEncoder: pipeline.imageEncoder,
                textEncoders: pipeline.textEncoder.map { [$0] } ?? []
            )
            let summary = try ingester.ingest(
                atlasAt: URL(fileURLWithPath: path), strict: strict, prune: prune, progress: IngestProgress()
            )
            if options.json {
                try Output.json(summary)
            } else {
                Output.line(summary.text)
            }
            if summary.hasProblems { throw ExitCode(3) }
        }
    }
}
