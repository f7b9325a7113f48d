import ArgumentParser

/// The benchmark driver behind `Scripts/bench`: each subcommand measures one part of AtlasQA and prints
/// rows that the script sets beside its peers' figures (always `-c release`).
@main
struct AtlasQABench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atlasqa-bench",
        abstract: "Measure AtlasQA's vector search, ingest and ask latency (run by Scripts/bench).",
        subcommands: [SearchBench.self, IngestBench.self, AskBench.self]
    )
}
