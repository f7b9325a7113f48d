public import Foundation

/// Ingest progress on stderr: a bar redrawn in place (done/total, rate, ETA) on a terminal,
/// plain lines about every 10% otherwise, so logs of CI runs stay readable.
public final class IngestProgress {
    private let isTerminal: Bool
    private let write: (String) -> Void
    private let clock: () -> TimeInterval
    private var total = 0
    private var done = 0
    private var images = 0
    private var started: TimeInterval = 0
    private var lastDraw: TimeInterval = -.infinity
    private var nextReport = 0
    private var label = "ingest"
    /// Told (entries done, entries in total, images embedded) after each entry, e.g. by a server's job status.
    private var observer: ((_ done: Int, _ total: Int, _ images: Int) -> Void)?

    /// - Parameters:
    ///   - isTerminal: redraw one line with `\r`; defaults to whether stderr is a terminal.
    ///   - write: where text goes; defaults to stderr.
    ///   - clock: seconds, for rates and ETA.
    public init(
        isTerminal: Bool = isatty(2) != 0,
        write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
        clock: @escaping () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.isTerminal = isTerminal
        self.write = write
        self.clock = clock
    }

    /// Progress for a program rather than a terminal: nothing is written, `observer` hears every step.
    public convenience init(observer: @escaping (_ done: Int, _ total: Int, _ images: Int) -> Void) {
        self.init(isTerminal: false, write: { _ in })
        self.observer = observer
    }

    func start(label: String, entries: Int) {
        self.label = label
        total = entries
        done = 0
        images = 0
        started = clock()
        nextReport = Self.step(total)
        observer?(0, total, 0)
        if isTerminal { draw(force: true) } else { write("\(label): \(total) entries to check\n") }
    }

    /// One more entry handled (ingested, unchanged or failed), having embedded `images` images.
    func advance(images: Int) {
        done += 1
        self.images += images
        observer?(done, total, self.images)
        if isTerminal {
            draw(force: done == total)
        } else if done >= nextReport || done == total {
            write(line() + "\n")
            while nextReport <= done { nextReport += Self.step(total) }
        }
    }

    func finish() {
        if isTerminal { write("\n") }
    }

    /// A plain line about every 10%, and at least every 100 entries.
    private static func step(_ total: Int) -> Int { max(1, min(100, (total + 9) / 10)) }

    private func draw(force: Bool) {
        let now = clock()
        guard force || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let width = 24
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        // ESC[K clears what a longer previous line left behind.
        write("\r[\(bar)] " + line() + "\u{1B}[K")
    }

    private func line() -> String {
        let elapsed = max(clock() - started, 1e-9)
        var text = "\(label): \(done)/\(total) entries"
        if total > 0, !isTerminal { text += " (\(done * 100 / total)%)" }
        // Entries that were unchanged embed nothing: then the useful rate is entries checked per second.
        text += images > 0 || done == 0
            ? ", \(IngestSummary.format(Double(images) / elapsed)) images/s"
            : ", \(IngestSummary.format(Double(done) / elapsed)) entries/s"
        if done > 0, done < total {
            text += ", ETA \(Self.duration(elapsed / Double(done) * Double(total - done)))"
        }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
