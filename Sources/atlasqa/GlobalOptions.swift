import ArgumentParser
import Encoders
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The atlas index file (default: $ATLASQA_DB, else ./atlasqa.sqlite).")
    var db: String?

    @Flag(name: .long, help: "Machine-readable JSON on stdout.")
    var json = false

    @Option(name: .long, help: "Folder of model weights (default: $ATLASQA_MODELS, else ./models, else the checkout's models/).")
    var models: String?

    var databasePath: String { db ?? Environment.string("ATLASQA_DB") ?? "atlasqa.sqlite" }

    /// Where encoder weights live: the flag, `$ATLASQA_MODELS`, the `models/` of the checkout around the current
    /// directory, else the one around the binary (so tests and scripts find them from any working directory).
    var modelsDirectory: URL {
        if let explicit = models { return URL(fileURLWithPath: explicit) }
        let here = TextEncoderCatalog.defaultModelsDirectory()
        if FileManager.default.fileExists(atPath: here.path) { return here }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        return TextEncoderCatalog.defaultModelsDirectory(start: binary)
    }
}
