import ArgumentParser

/// Ingest throughput on a generated atlas (owned by the tile-search work).
struct IngestBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Ingest throughput.")

    func run() throws {
        throw ValidationError("ingest benchmark not written yet")
    }
}

/// `ask` latency per stage with the extractive decoder (owned by the tile-search work).
struct AskBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ask", abstract: "Ask latency per stage.")

    func run() throws {
        throw ValidationError("ask benchmark not written yet")
    }
}
