import AtlasCore
import Foundation
import Hummingbird

/// Unpacks a tar archive (POSIX ustar, with pax and GNU long names) into a folder, refusing anything
/// that could write outside it or is not plain data: absolute paths, `..`, symbolic and hard links,
/// devices and FIFOs. Limits on the unpacked size and the number of members stop archive bombs.
/// A refusal throws an `APIError` naming the member and the fault; the caller removes the folder.
struct TarArchive {
    struct Limits {
        var maxBytes: Int
        var maxMembers: Int = 100_000
    }

    /// Why an archive is refused: 400 `unsafe_archive` or `bad_archive`, 413 past a limit.
    static func refuse(_ name: String, _ what: String, unsafe: Bool = false) -> APIError {
        APIError(status: .badRequest, code: unsafe ? "unsafe_archive" : "bad_archive", message: "unpacking '\(name)': \(what); nothing was ingested")
    }

    /// - Returns: the relative paths of the regular files written.
    @discardableResult
    static func extract(_ data: Data, into folder: URL, limits: Limits, name: String) throws -> [String] {
        try data.withUnsafeBytes { raw in
            try extract(raw.bindMemory(to: UInt8.self), into: folder, limits: limits, name: name)
        }
    }

    private static func extract(_ bytes: UnsafeBufferPointer<UInt8>, into folder: URL, limits: Limits, name: String) throws -> [String] {
        let fm = FileManager.default
        var offset = 0
        var written: [String] = []
        var total = 0
        var members = 0
        var longName: String?
        var paxPath: String?
        var paxSize: Int?
        var sawHeader = false

        while offset + 512 <= bytes.count {
            let header = UnsafeBufferPointer(rebasing: bytes[offset..<offset + 512])
            if header.allSatisfy({ $0 == 0 }) { break }  // the end-of-archive blocks
            guard checksumMatches(header) else {
                throw refuse(name, sawHeader ? "the header at byte \(offset) is damaged (checksum mismatch)" : "it is not a tar archive (no valid tar header)")
            }
            sawHeader = true
            members += 1
            if members > limits.maxMembers {
                throw APIError(status: .contentTooLarge, code: "too_large", message: "unpacking '\(name)': more than \(limits.maxMembers) members")
            }
            let type = header[156]
            guard let declared = size(header) else { throw refuse(name, "the header at byte \(offset) has an unreadable size") }
            let size = paxSize ?? declared
            let dataStart = offset + 512
            guard size >= 0, dataStart + size <= bytes.count else {
                throw refuse(name, "the archive ends inside a member (truncated upload?)")
            }
            let body = UnsafeBufferPointer(rebasing: bytes[dataStart..<dataStart + size])
            offset = dataStart + (size + 511) / 512 * 512

            let path = paxPath ?? longName ?? headerName(header)
            switch type {
            case UInt8(ascii: "x"):
                let records = pax(body)
                paxPath = records["path"]
                paxSize = records["size"].flatMap(Int.init)
                continue
            case UInt8(ascii: "g"):
                continue
            case UInt8(ascii: "L"):
                longName = String(decoding: body.prefix { $0 != 0 }, as: UTF8.self)
                continue
            case UInt8(ascii: "K"):
                continue  // a long link target: the link itself is refused below
            default:
                break
            }
            paxPath = nil
            paxSize = nil
            longName = nil

            let components = try safeComponents(path, archive: name)
            if components.isEmpty { continue }  // "./"
            if components.contains(where: { $0 == "__MACOSX" }) || components.last!.hasPrefix("._") { continue }
            let target = components.reduce(folder) { $0.appendingPathComponent($1) }
            let relative = components.joined(separator: "/")
            switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                total += size
                if total > limits.maxBytes {
                    throw APIError(
                        status: .contentTooLarge, code: "too_large",
                        message: "unpacking '\(name)': its files hold more than the limit of \(limits.maxBytes) bytes")
                }
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard fm.createFile(atPath: target.path, contents: Data(body)) else {
                    throw refuse(name, "member '\(relative)' cannot be written (a folder of that name exists?)")
                }
                written.append(relative)
            case UInt8(ascii: "5"):
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                let link = String(decoding: UnsafeBufferPointer(rebasing: header[157..<257]).prefix { $0 != 0 }, as: UTF8.self)
                throw refuse(name, "member '\(relative)' is a \(type == UInt8(ascii: "2") ? "symbolic" : "hard") link (to '\(link.prefix(100))'); links are refused", unsafe: true)
            case UInt8(ascii: "3"), UInt8(ascii: "4"), UInt8(ascii: "6"):
                throw refuse(name, "member '\(relative)' is a device or FIFO; only files and folders are accepted", unsafe: true)
            default:
                throw refuse(name, "member '\(relative)' has the unsupported tar type '\(Character(UnicodeScalar(type)))'")
            }
        }
        guard sawHeader else { throw refuse(name, bytes.isEmpty ? "the archive is empty" : "it is not a tar archive (no valid tar header)") }
        return written
    }

    /// The path split into components, refusing what could leave the folder. "./a/b" → ["a", "b"].
    static func safeComponents(_ path: String, archive: String) throws -> [String] {
        let shown = String(path.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 }.map(Character.init).prefix(200))
        if path.hasPrefix("/") { throw refuse(archive, "member '\(shown)' has an absolute path", unsafe: true) }
        if path.contains("\\") { throw refuse(archive, "member '\(shown)' has a backslash in its path", unsafe: true) }
        if path.unicodeScalars.contains(where: { $0.value < 32 }) {
            throw refuse(archive, "member '\(shown)' has control characters in its path", unsafe: true)
        }
        let components = path.split(separator: "/").map(String.init).filter { $0 != "." }
        if components.contains("..") {
            throw refuse(archive, "member '\(shown)' leaves the archive's folder ('..' in its path)", unsafe: true)
        }
        if path.utf8.count > 1024 { throw refuse(archive, "member '\(shown)…' has a path longer than 1024 bytes") }
        return components
    }

    /// ustar: `prefix/name`, each NUL-terminated or field-long.
    static func headerName(_ header: UnsafeBufferPointer<UInt8>) -> String {
        func field(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: header[range]).prefix { $0 != 0 }, as: UTF8.self)
        }
        let name = field(0..<100)
        let isUstar = header[257] == UInt8(ascii: "u") && header[258] == UInt8(ascii: "s") && header[259] == UInt8(ascii: "t")
        let prefix = isUstar ? field(345..<500) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// Octal (NUL/space terminated), or base-256 when the high bit is set (GNU, files past 8 GiB).
    static func size(_ header: UnsafeBufferPointer<UInt8>) -> Int? {
        let field = UnsafeBufferPointer(rebasing: header[124..<136])
        if field[0] & 0x80 != 0 {
            var value = 0
            for (i, byte) in field.enumerated() {
                let b = i == 0 ? Int(byte & 0x7f) : Int(byte)
                guard value < Int.max >> 9 else { return nil }
                value = value << 8 | b
            }
            return value
        }
        return octal(field)
    }

    static func octal(_ field: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        var digits = 0
        for byte in field {
            if byte == 0 || byte == 32 {
                if digits > 0 { break } else { continue }
            }
            guard (48...55).contains(byte) else { return nil }
            value = value * 8 + Int(byte - 48)
            digits += 1
        }
        return value
    }

    /// The header checksum: the byte sum with the checksum field read as spaces (signed sums accepted too).
    static func checksumMatches(_ header: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let stored = octal(UnsafeBufferPointer(rebasing: header[148..<156])) else { return false }
        var unsigned = 0
        var signed = 0
        for (i, byte) in header.enumerated() {
            let b = (148..<156).contains(i) ? 32 : byte
            unsigned += Int(b)
            signed += Int(Int8(bitPattern: b))
        }
        return stored == unsigned || stored == signed
    }

    /// pax extended header records: "<length> <key>=<value>\n".
    static func pax(_ body: UnsafeBufferPointer<UInt8>) -> [String: String] {
        var records: [String: String] = [:]
        var i = 0
        while i < body.count {
            var length = 0
            var j = i
            while j < body.count, (48...57).contains(body[j]) {
                length = length * 10 + Int(body[j] - 48)
                j += 1
            }
            guard length > 0, j < body.count, body[j] == 32, i + length <= body.count else { break }
            let record = String(decoding: UnsafeBufferPointer(rebasing: body[(j + 1)..<(i + length)]), as: UTF8.self)
            if let eq = record.firstIndex(of: "=") {
                var value = String(record[record.index(after: eq)...])
                if value.hasSuffix("\n") { value.removeLast() }
                records[String(record[..<eq])] = value
            }
            i += length
        }
        return records
    }
}
