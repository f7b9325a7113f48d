import ArgumentParser

/// Vector search: exact and int8+rescore over generated vectors (owned by the vector-index work).
struct SearchBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Vector search timings.")

    func run() throws {
        throw ValidationError("search benchmark not written yet")
    }
}
