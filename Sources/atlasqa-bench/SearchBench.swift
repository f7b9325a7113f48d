import ArgumentParser
import AtlasCore
import Foundation
import LinearAlgebra
import Store

/// Vector search over the vectors of an AQVF file: exact (sgemv + top-k, what `VectorTable` runs below
/// the int8 threshold) and int8+rescore (what it runs above), per query, with recall@k of the int8 results
/// against the exact ones. With `--sqlite DIR` it instead measures the index file: writing the vectors as
/// passages, loading them back into memory, and searching through `AtlasStore`.
/// Prints one JSON line (`--json`) or a human row.
struct SearchBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Vector search timings.")

    @Option(help: "AQVF file of the indexed vectors (written by Scripts/peers/vectors.py).")
    var vectors: String
    @Option(help: "AQVF file of the query vectors.")
    var queries: String
    @Option(help: "How many queries of the file to time (the first ones).")
    var queryCount = 100
    @Option(help: "Neighbours per query.")
    var k = 10
    @Option(help: "int8 candidates rescored exactly.")
    var candidates = VectorSearchPolicy.defaultCandidates
    @Option(help: "Threads for BLAS and the int8 scan.")
    var threads = 2
    @Option(help: "Measure writing, loading and searching an index file in this folder instead.")
    var sqlite: String?
    @Flag(help: "With --sqlite: keep the index file, and reuse it if a previous run left one for the same vectors (skips the minute of writing).")
    var keepIndex = false
    @Flag(help: "Print one JSON object instead of a human row.")
    var json = false

    func run() throws {
        BLASThreads.set(threads)
        let matrix = try SearchVectorFile.read(vectors)
        let queryMatrix = try SearchVectorFile.read(queries)
        guard queryMatrix.columns == matrix.columns else {
            throw SearchBenchError("queries have \(queryMatrix.columns) columns, vectors \(matrix.columns)")
        }
        let queryRows = (0..<min(queryCount, queryMatrix.rows)).map { queryMatrix.row($0) }
        var result: [String: Any] = [
            "n": matrix.rows, "dim": matrix.columns, "k": k, "queries": queryRows.count, "threads": threads,
            "candidates": candidates, "kernel": Int8Kernel.best.description,
        ]
        if let folder = sqlite {
            result.merge(try measureIndexFile(matrix, queryRows, folder: folder)) { $1 }
        } else {
            result.merge(measureInMemory(matrix, queryRows)) { $1 }
        }
        result["peak_rss_mb"] = SearchMeasure.peakRSSMegabytes()
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(result.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }

    private func measureInMemory(_ matrix: Matrix, _ queryRows: [[Float]]) -> [String: Any] {
        var quantized = QuantizedMatrix(columns: 0)
        let quantizeMs = SearchMeasure.milliseconds { quantized = QuantizedMatrix(quantizing: matrix, threads: threads) }
        // One untimed pass each warms the caches and page tables (the numpy peer does the same).
        _ = matrix.nearestRows(to: queryRows[0], k: k)
        _ = matrix.nearestRows(to: queryRows[0], k: k, rescoring: quantized, candidates: candidates, threads: threads)
        var exact: [[ScoredIndex]] = []
        var approximate: [[ScoredIndex]] = []
        let exactTimes = queryRows.map { q in SearchMeasure.milliseconds { exact.append(matrix.nearestRows(to: q, k: k)) } }
        let int8Times = queryRows.map { q in
            SearchMeasure.milliseconds {
                approximate.append(matrix.nearestRows(to: q, k: k, rescoring: quantized, candidates: candidates, threads: threads))
            }
        }
        // The scan split over both cores too (when run single-threaded), as a big index may be searched.
        let parallel = max(2, threads)
        let int8ParallelTimes = queryRows.map { q in
            SearchMeasure.milliseconds {
                _ = matrix.nearestRows(to: q, k: k, rescoring: quantized, candidates: candidates, threads: parallel)
            }
        }
        let found = zip(exact, approximate).map { truth, got in Set(truth.map(\.index)).intersection(got.map(\.index)).count }
        return [
            "engine": "atlasqa", "quantize_ms": quantizeMs,
            "exact_ms": SearchMeasure.median(exactTimes), "int8_ms": SearchMeasure.median(int8Times),
            "int8_parallel_ms": SearchMeasure.median(int8ParallelTimes), "parallel_threads": parallel,
            "recall": Double(found.reduce(0, +)) / Double(max(1, exact.reduce(0) { $0 + $1.count })),
        ]
    }

    /// Writes the vectors as passages (100 per entry) into a new index, then opens it afresh and times
    /// `loadVectorIndex` (one query, a memcpy per BLOB, then the int8 copy) and searches through the store.
    private func measureIndexFile(_ matrix: Matrix, _ queryRows: [[Float]], folder: String) throws -> [String: Any] {
        let path = URL(fileURLWithPath: folder).appendingPathComponent("search-bench-\(matrix.rows)x\(matrix.columns).sqlite").path
        let encoder = EncoderRecord(id: "bench-\(matrix.columns)", modality: .text, dimension: matrix.columns, weightsHash: "bench")
        let reuse = keepIndex && (try? AtlasStore(path: path, readOnly: true).counts().vectors) == matrix.rows
        if !reuse { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        defer {
            if !keepIndex { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        }
        let perEntry = 100
        let writeMs = reuse ? 0 : try SearchMeasure.milliseconds {
            let writer = try AtlasStore(path: path)
            try writer.register(encoders: [encoder])
            for start in stride(from: 0, to: matrix.rows, by: perEntry) {
                let id = "e\(start / perEntry)"
                let rows = start ..< min(matrix.rows, start + perEntry)
                let passages = rows.map { Passage(entryID: id, ordinal: $0 - start + 1, heading: nil, text: "passage \($0)") }
                try writer.write(IngestRecord(
                    entry: Entry(id: id, title: id, source: "bench", passages: passages), contentHash: "h", images: [],
                    passageVectors: [encoder.id: rows.map { matrix.row($0) }]
                ))
            }
        }
        let rssBefore = SearchMeasure.residentMegabytes()
        let anonBefore = SearchMeasure.anonymousResidentMegabytes()
        let store = try AtlasStore(path: path, readOnly: true)
        let loadMs = try SearchMeasure.milliseconds { try store.loadVectorIndex() }
        let rssAfter = SearchMeasure.residentMegabytes()
        let anonAfter = SearchMeasure.anonymousResidentMegabytes()
        var policy = store.vectorSearch
        policy.candidates = candidates
        policy.threads = threads
        store.setVectorSearch(policy)
        // The bare kernel on the same vectors (an int8 copy made here), timed alternately with the store's
        // search so both see the same machine: the difference is what the store adds per query.
        let quantized = QuantizedMatrix(quantizing: matrix, threads: threads)
        let int8 = policy.usesInt8(rows: matrix.rows)
        func bare(_ q: [Float]) -> [ScoredIndex] {
            int8 ? matrix.nearestRows(to: q, k: k, rescoring: quantized, candidates: candidates, threads: threads)
                : matrix.nearestRows(to: q, k: k)
        }
        _ = try store.nearestPassages(to: queryRows[0], encoder: encoder.id, k: k)
        _ = bare(queryRows[0])
        var searchTimes: [Double] = []
        var bareTimes: [Double] = []
        for (i, q) in queryRows.enumerated() {
            // Alternating which goes first, so neither always finds the other's data in the caches.
            if i % 2 == 0 { bareTimes.append(SearchMeasure.milliseconds { _ = bare(q) }) }
            searchTimes.append(try SearchMeasure.milliseconds { _ = try store.nearestPassages(to: q, encoder: encoder.id, k: k) })
            if i % 2 == 1 { bareTimes.append(SearchMeasure.milliseconds { _ = bare(q) }) }
        }
        // What the store does around the kernel (encoder lookup, the generation check for another process's
        // writes, taking the table): a zero query goes through all of it and then finds nothing to score.
        let zero = [Float](repeating: 0, count: matrix.columns)
        let fixedTimes = try (0..<200).map { _ in
            try SearchMeasure.milliseconds { _ = try store.nearestPassages(to: zero, encoder: encoder.id, k: k) }
        }
        let append = try measureAppend(matrix, path: path, encoder: encoder, perEntry: perEntry)
        return append.merging([
            "engine": "atlasqa-index", "write_s": writeMs / 1000, "load_ms": loadMs,
            "index_rss_mb": rssAfter - rssBefore, "index_anon_mb": anonAfter - anonBefore, "store_search_ms": SearchMeasure.median(searchTimes),
            "bare_search_ms": SearchMeasure.median(bareTimes),
            "store_minus_bare_ms": SearchMeasure.median(zip(searchTimes, bareTimes).map { $0 - $1 }),
            "store_fixed_ms": SearchMeasure.median(fixedTimes),
            "store_mode": policy.usesInt8(rows: matrix.rows) ? "int8+rescore" : "exact",
            "file_mb": Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6,
        ]) { $1 }
    }

    /// Ingest into a loaded index: a writable store loads the tables, then one more entry of `perEntry`
    /// passages is written (appended to the tables in memory, no reload) and removed again (tombstoned),
    /// leaving the file as it was. A search after each shows the table is current.
    private func measureAppend(_ matrix: Matrix, path: String, encoder: EncoderRecord, perEntry: Int) throws -> [String: Any] {
        let store = try AtlasStore(path: path)
        try store.loadVectorIndex()
        // Two entries: the first append grows the tables' storage (one copy, amortised), the second does not.
        var appendMs: [Double] = []
        var removeMs: [Double] = []
        for (n, id) in ["bench-append-1", "bench-append-2"].enumerated() {
            let vectors = (0..<perEntry).map { row in matrix.row(n * perEntry + row).map { -$0 } } // new directions
            let passages = vectors.indices.map { Passage(entryID: id, ordinal: $0 + 1, heading: nil, text: "appended \($0)") }
            let record = IngestRecord(
                entry: Entry(id: id, title: id, source: "bench", passages: passages), contentHash: "h", images: [],
                passageVectors: [encoder.id: vectors]
            )
            appendMs.append(try SearchMeasure.milliseconds { try store.write(record) })
            guard try store.nearestPassages(to: vectors[0], encoder: encoder.id, k: 1).first?.passageID == passages[0].id else {
                throw SearchBenchError("the appended entry '\(id)' is not found by its own vector")
            }
        }
        for id in ["bench-append-1", "bench-append-2"] {
            removeMs.append(try SearchMeasure.milliseconds { try store.removeEntry(id: id) })
        }
        return ["append_entry_ms": appendMs, "remove_entry_ms": removeMs, "append_passages": perEntry]
    }
}
