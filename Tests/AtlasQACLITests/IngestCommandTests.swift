import Foundation
import Testing

@Suite struct IngestCommandTests {
    @Test func reingestSkipsUnchangedAndABrokenEntryIsReportedWhileTheRestLand() throws {
        let scratch = try CLI.temporaryDirectory("ingest")
        let folder = scratch.appendingPathComponent("atlas")
        try GeneratedAtlas.write(to: folder)
        let db = scratch.appendingPathComponent("a.sqlite").path

        let first = try CLI.atlasqa(["ingest", folder.path, "--db", db, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try first.json()
        let entries = try #require(summary["entries"] as? [String: Any])
        #expect(entries["ingested"] as? Int == GeneratedAtlas.entries.count)
        #expect(summary["images"] as? Int == GeneratedAtlas.entries.count * 2)

        let again = try CLI.atlasqa(["ingest", folder.path, "--db", db, "--json"])
        #expect(again.status == 0)
        let againEntries = try #require(try again.json()["entries"] as? [String: Any])
        #expect(againEntries["unchanged"] as? Int == GeneratedAtlas.entries.count)
        #expect(againEntries["ingested"] as? Int == 0)

        // A new entry with broken YAML: reported with its file, skipped; exit status says so.
        let broken = folder.appendingPathComponent("broken-entry")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try "---\ntitle: [unclosed\nsource: x\n---\n## A\ntext\n".write(
            to: broken.appendingPathComponent("entry.md"), atomically: true, encoding: .utf8)
        let third = try CLI.atlasqa(["ingest", folder.path, "--db", db])
        #expect(third.status == 3)
        #expect((third.stdout + third.stderr).contains("broken-entry/entry.md"))

        // --strict refuses the whole atlas and changes nothing.
        let strict = try CLI.atlasqa(["ingest", folder.path, "--db", db, "--strict"])
        #expect(strict.status != 0)
        let shown = try CLI.atlasqa(["show", "broken-entry", "--db", db])
        #expect(shown.status != 0)
        #expect(shown.stderr.contains("broken-entry"))
    }
}
