import ArgumentParser
import AtlasCore
import Foundation
import Store

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One atlas entry: passages, images, source.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The entry id (e.g. breast-dcis).")
    var entryID: String

    func run() async throws {
        try await Output.run(json: options.json) {
            let pipeline = try Pipeline(options: options, writable: false, textEncoderID: "none")
            guard let entry = try pipeline.store.entry(id: entryID) else {
                throw AtlasError(.notFound, "no entry '\(entryID)' in '\(options.databasePath)'")
            }
            if options.json {
                try Output.json(entry)
                return
            }
            var lines = ["\(entry.title)  (\(entry.id))"]
            for (label, value) in [("organ", entry.organ), ("diagnosis", entry.diagnosis), ("stain", entry.stain), ("license", entry.license)] {
                if let value { lines.append("\(label): \(value)") }
            }
            if !entry.tags.isEmpty { lines.append("tags: \(entry.tags.joined(separator: ", "))") }
            lines.append("source: \(entry.source)")
            for image in entry.images {
                lines.append("image: \(image.file)" + (image.caption.map { " — \($0)" } ?? ""))
            }
            for passage in entry.passages {
                lines.append("")
                lines.append("## \(passage.heading ?? "(untitled)")  [\(passage.id), \(passage.language.rawValue)]")
                lines.append(passage.text)
            }
            Output.line(lines.joined(separator: "\n"))
        }
    }
}
