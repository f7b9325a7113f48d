import Foundation
import LinearAlgebra

/// The vector file `Scripts/bench` writes once and every engine reads: a 16-byte header (`AQVF`, rows and
/// columns as little-endian UInt32, a reserved UInt32) and then `rows × columns` float32, little-endian,
/// row-major. One file, so ours, numpy and sqlite-vec search exactly the same vectors.
enum SearchVectorFile {
    static func read(_ path: String) throws -> Matrix {
        let url = URL(fileURLWithPath: path)
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        guard data.count >= 16, data.prefix(4) == Data("AQVF".utf8) else {
            throw SearchBenchError("reading vectors '\(path)': not an AQVF vector file (no 'AQVF' header)")
        }
        let (rows, columns) = data.withUnsafeBytes { raw in
            (Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))),
             Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))))
        }
        guard data.count == 16 + rows * columns * 4 else {
            throw SearchBenchError("reading vectors '\(path)': \(data.count) bytes, expected 16 + \(rows) × \(columns) × 4")
        }
        return Matrix(rows: rows, columns: columns) { buffer in
            data.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[16...]))
            }
        }
    }
}

struct SearchBenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Clocks and counters of the search benchmark.
enum SearchMeasure {
    /// This process's peak resident set, in MB (Linux reports ru_maxrss in KiB).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// This process's resident set now, in MB (from /proc/self/statm; 0 where there is none).
    static func residentMegabytes() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// This process's anonymous resident memory now, in MB (RssAnon in /proc/self/status: what it allocated,
    /// without the pages of files it maps, such as the SQLite index under mmap); 0 where there is none.
    static func anonymousResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") }),
              let kib = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return kib / 1024
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Milliseconds spent in `body`.
    static func milliseconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
}
