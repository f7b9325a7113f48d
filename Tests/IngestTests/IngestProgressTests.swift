import Foundation
import Testing
@testable import Ingest

/// Collects what the reporter writes; the test runs on one thread.
final class Transcript: @unchecked Sendable {
    var text = ""
}

@Suite struct IngestProgressTests {
    @Test func plainLinesAboutEveryTenPercent() {
        let out = Transcript()
        var now = 0.0
        let progress = IngestProgress(isTerminal: false, write: { out.text += $0 }, clock: { now })
        progress.start(label: "ingest atlas", entries: 50)
        for _ in 0..<50 {
            now += 0.5
            progress.advance(images: 2)
        }
        progress.finish()
        let lines = out.text.split(separator: "\n")
        #expect(!out.text.contains("\r"))
        #expect(lines.count == 11)  // the start line and one per 10%
        #expect(lines[1] == "ingest atlas: 5/50 entries (10%), 4 images/s, ETA 0:23")
        #expect(lines.last == "ingest atlas: 50/50 entries (100%), 4 images/s")
    }

    @Test func terminalBarRedrawsInPlace() {
        let out = Transcript()
        var now = 0.0
        let progress = IngestProgress(isTerminal: true, write: { out.text += $0 }, clock: { now })
        progress.start(label: "ingest", entries: 4)
        for _ in 0..<4 {
            now += 1
            progress.advance(images: 1)
        }
        progress.finish()
        #expect(out.text.hasPrefix("\r["))
        #expect(out.text.hasSuffix("\n"))
        #expect(out.text.split(separator: "\n").count == 1)
        #expect(out.text.contains("[############............] ingest: 2/4 entries, 1 images/s, ETA 0:02"))
        #expect(out.text.contains("[########################] ingest: 4/4 entries, 1 images/s\u{1B}[K"))
        // Every redraw clears the rest of the line, so a shorter line leaves no residue of a longer one.
        #expect(out.text.components(separatedBy: "\r").dropFirst().allSatisfy { $0.hasSuffix("\u{1B}[K") || $0.hasSuffix("\u{1B}[K\n") })
    }
}

extension IngestProgressTests {
    /// A re-ingest where nothing changed embeds no image: the rate shown is entries per second.
    @Test func unchangedEntriesShowEntriesPerSecond() {
        let out = Transcript()
        var now = 0.0
        let progress = IngestProgress(isTerminal: false, write: { out.text += $0 }, clock: { now })
        progress.start(label: "ingest", entries: 10)
        for _ in 0..<10 {
            now += 0.25
            progress.advance(images: 0)
        }
        #expect(out.text.contains("ingest: 10/10 entries (100%), 4 entries/s\n"))
        #expect(!out.text.contains("images/s"))
    }
}
