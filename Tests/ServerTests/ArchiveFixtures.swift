import Foundation
import Illustration
import Imaging

/// Archives for ingest tests: a ustar writer for members a tool would not make (`../x`, links, devices),
/// and the system's GNU tar and gzip for archives as curators make them.
enum ArchiveFixtures {
    enum Member {
        case file(String, Data)
        case folder(String)
        case symlink(String, to: String)
        case hardlink(String, to: String)
        case fifo(String)
    }

    static func tar(_ members: [Member]) -> Data {
        var out = Data()
        for member in members {
            switch member {
            case .file(let name, let data):
                out += header(name, type: "0", size: data.count)
                out += data + Data(count: (512 - data.count % 512) % 512)
            case .folder(let name): out += header(name, type: "5", size: 0)
            case .symlink(let name, let target): out += header(name, type: "2", size: 0, link: target)
            case .hardlink(let name, let target): out += header(name, type: "1", size: 0, link: target)
            case .fifo(let name): out += header(name, type: "6", size: 0)
            }
        }
        return out + Data(count: 1024)
    }

    static func header(_ name: String, type: Character, size: Int, link: String = "") -> Data {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { h[offset + i] = b } }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(String(format: "%011o", size), at: 124)
        put("00000000000", at: 136)
        put(String(type), at: 156)
        put(link, at: 157)
        put("ustar", at: 257)
        put("00", at: 263)
        for i in 148..<156 { h[i] = 32 }
        let sum = h.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum), at: 148)
        h[154] = 0
        return Data(h)
    }

    /// `gzip -c` of `data`.
    static func gzip(_ data: Data) throws -> Data {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("atlasqa-gz-\(UUID().uuidString)")
        try data.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        return try run("/usr/bin/env", ["gzip", "-c", "-n", input.path])
    }

    /// GNU tar of `name` inside `parent` (`tar -C parent -c[z]f - name`), as a curator would pack an atlas.
    static func gnuTar(_ name: String, in parent: URL, gzip: Bool) throws -> Data {
        try run("/usr/bin/env", ["tar", "-C", parent.path, gzip ? "-czf" : "-cf", "-", name])
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    /// A folder atlas with entries whose text has a word no other atlas has ("zebracytes"), one of them
    /// with a rendered image, under `parent/name`.
    static func folderAtlas(named name: String, in parent: URL) throws {
        let root = parent.appendingPathComponent(name)
        let zebra = root.appendingPathComponent("zebra-cells")
        try FileManager.default.createDirectory(at: zebra, withIntermediateDirectories: true)
        try ImageCodec.encodePNG(HistologyRenderer().render(.lymphNodeReactive, style: .standard, size: 160, seed: 5))
            .write(to: zebra.appendingPathComponent("zebra.png"))
        try """
            ---
            title: Zebracyte lesion
            organ: skin
            source: project-authored test atlas
            images:
              - file: zebra.png
                caption: striped zebracytes
            ---
            ## Microscopic features
            Zebracytes are striped cells arranged in parallel rows with alternating pale and dark bands.
            """.write(to: zebra.appendingPathComponent("entry.md"), atomically: true, encoding: .utf8)
        let quagga = root.appendingPathComponent("quagga-cells")
        try FileManager.default.createDirectory(at: quagga, withIntermediateDirectories: true)
        try """
            ---
            title: Quaggacyte change
            source: project-authored test atlas
            ---
            ## Microscopic features
            Quaggacytes show half-striped cytoplasm, striped only at the front of the cell.
            """.write(to: quagga.appendingPathComponent("entry.md"), atomically: true, encoding: .utf8)
        try #"{"name": "Upload test atlas"}"#.write(to: root.appendingPathComponent("atlas.json"), atomically: true, encoding: .utf8)
    }
}
