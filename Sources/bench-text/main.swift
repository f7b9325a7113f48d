// Times a text encoder the way AtlasQA uses it: one short question at a time (latency) and passages in
// batches of 32 (ingest throughput). Scripts/bench-text runs it beside the Python peers on the same
// texts and prints the ratios. Output: one JSON object on stdout. Besides wall-clock times it reports CPU
// time (all threads of the process), which a shared, loaded machine disturbs far less.
//
//   bench-text ENCODER-ID TEXTS.json [--threads N] [--models DIR]
//   TEXTS.json: {"queries": [...], "passages": [...]}
import AtlasCore
import Encoders
import Foundation
import LinearAlgebra

struct Texts: Decodable {
    var queries: [String]
    var passages: [String]
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// User + system CPU seconds of the whole process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
}

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(i...(i + 1)) }
    return arguments[i + 1]
}
let threads = Int(option("--threads") ?? "") ?? ProcessInfo.processInfo.activeProcessorCount
let models = option("--models").map { URL(fileURLWithPath: $0) } ?? TextEncoderCatalog.defaultModelsDirectory()
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: bench-text ENCODER-ID TEXTS.json [--threads N] [--models DIR]\n".utf8))
    exit(2)
}
BLASThreads.set(threads)

do {
    let texts = try JSONDecoder().decode(Texts.self, from: Data(contentsOf: URL(fileURLWithPath: arguments[1])))
    var encoder: (any TextEncoder)?
    let load = try seconds { encoder = try TextEncoderCatalog.load(id: arguments[0], modelsDirectory: models) }
    guard let encoder else { exit(1) }

    for q in texts.queries.prefix(5) { _ = try encoder.embed([q], role: .query) }
    var latencies: [Double] = []
    var queryCPU: [Double] = []
    for _ in 0..<3 {
        for q in texts.queries {
            let cpu = cpuSeconds()
            latencies.append(try seconds { _ = try encoder.embed([q], role: .query) })
            queryCPU.append(cpuSeconds() - cpu)
        }
    }

    let batches = stride(from: 0, to: texts.passages.count, by: 32).map {
        Array(texts.passages[$0..<min($0 + 32, texts.passages.count)])
    }
    _ = try encoder.embed(batches[0], role: .passage)
    let cpu = cpuSeconds()
    let total = try seconds { for batch in batches { _ = try encoder.embed(batch, role: .passage) } }
    let passageCPU = cpuSeconds() - cpu

    let result: [String: Any] = [
        "engine": "AtlasQA Swift", "encoder": encoder.id, "threads": threads, "load_s": load,
        "query_p50_ms": percentile(latencies, 0.5) * 1000, "query_p90_ms": percentile(latencies, 0.9) * 1000,
        "passages_per_s": Double(texts.passages.count) / total,
        "query_cpu_ms": queryCPU.reduce(0, +) / Double(queryCPU.count) * 1000,
        "passages_per_cpu_s": Double(texts.passages.count) / passageCPU,
    ]
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("bench-text: \(error)\n".utf8))
    exit(1)
}
