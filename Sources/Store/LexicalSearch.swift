public import AtlasCore
import Foundation
import GRDB

extension AtlasStore {
    /// BM25 over passages, merged from three channels: words (FTS5 unicode61), CJK trigrams (FTS5 trigram),
    /// and short CJK terms (substring match, BM25 computed here). A passage's score is the sum of its
    /// channel scores, positive, higher is better. `text` is data: no input is taken as FTS5 syntax.
    public func lexicalSearch(_ text: String, k: Int) throws -> [PassageHit] {
        let query = LexicalQuery(text)
        guard k > 0, !query.isEmpty else { return [] }
        // Each channel returns more than k so that a passage strong in two channels is not cut early.
        let perChannel = k >= 1_000 ? k : max(k * 5, 50)
        let scores = try whileDoing("searching the text of '\(path)'") {
            try pool.read { db in
                var scores: [String: Double] = [:]
                for (id, score) in try Self.fullTextHits(db, table: "passage_words", terms: query.words, limit: perChannel) {
                    scores[id, default: 0] += score
                }
                for (id, score) in try Self.fullTextHits(db, table: "passage_trigrams", terms: query.trigrams, limit: perChannel) {
                    scores[id, default: 0] += score
                }
                for (id, score) in try Self.shortCJKHits(db, terms: query.shortCJKTerms, limit: perChannel) {
                    scores[id, default: 0] += score
                }
                return scores
            }
        }
        return scores
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(k)
            .map { PassageHit(passageID: $0.key, score: Float($0.value)) }
    }

    /// Whether any passage holds a word of `text`: the same three channels as `lexicalSearch`, each stopped at its
    /// first hit. A common word ranked by BM25 over a 10k-passage atlas costs about 13 ms; this, microseconds.
    public func mentions(_ text: String) throws -> Bool {
        let query = LexicalQuery(text)
        guard !query.isEmpty else { return false }
        return try whileDoing("searching the text of '\(path)'") {
            try pool.read { db in
                for (table, terms) in [("passage_words", query.words), ("passage_trigrams", query.trigrams)] where !terms.isEmpty {
                    let sql = "SELECT 1 FROM \(table) WHERE \(table) MATCH ? LIMIT 1"
                    if try Row.fetchOne(db, sql: sql, arguments: [LexicalQuery.ftsMatchExpression(terms)]) != nil { return true }
                }
                guard !query.shortCJKTerms.isEmpty else { return false }
                let anyTerm = query.shortCJKTerms.map { _ in "instr(\(Self.shortCJKHaystack), ?) > 0" }.joined(separator: " OR ")
                let sql = "SELECT 1 FROM passages WHERE language = 'zh' AND (\(anyTerm)) LIMIT 1"
                return try Row.fetchOne(db, sql: sql, arguments: StatementArguments(query.shortCJKTerms)) != nil
            }
        }
    }

    /// What the short-CJK scan searches: the entry title, the heading and the text of a passage.
    private static let shortCJKHaystack = "(entry_title || ' ' || coalesce(heading, '') || ' ' || text)"

    /// FTS5 hits with bm25() negated (FTS5 returns lower-is-better). Columns: entry title, heading, text;
    /// a title word counts half a text word, since every passage of the entry carries the title.
    private static func fullTextHits(_ db: Database, table: String, terms: [String], limit: Int) throws -> [(String, Double)] {
        guard !terms.isEmpty else { return [] }
        let bm25 = "bm25(\(table), 0.5, 1.0, 1.0)"
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT p.id, -\(bm25) AS score FROM \(table) JOIN passages p ON p.rowid = \(table).rowid
                WHERE \(table) MATCH ? ORDER BY \(bm25) LIMIT ?
                """,
            arguments: [LexicalQuery.ftsMatchExpression(terms), limit]
        )
        return rows.map { ($0[0], $0[1]) }
    }

    /// CJK terms of one or two characters, which the trigram index cannot look up: a substring scan over
    /// Chinese passages, scored with BM25 (k1 1.2, b 0.75, length in characters, Lucene's always-positive
    /// idf so a term present in most passages of a small atlas still counts a little).
    private static func shortCJKHits(_ db: Database, terms: [String], limit: Int) throws -> [(String, Double)] {
        guard !terms.isEmpty else { return [] }
        let haystack = shortCJKHaystack
        let stats = try Row.fetchOne(
            db, sql: "SELECT count(*), avg(length(\(haystack))) FROM passages WHERE language = 'zh'"
        )!
        let total: Int = stats[0]
        let averageLength: Double = stats[1] ?? 1
        guard total > 0 else { return [] }
        let anyTerm = terms.map { _ in "instr(\(haystack), ?) > 0" }.joined(separator: " OR ")
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, \(haystack) FROM passages WHERE language = 'zh' AND (\(anyTerm))",
            arguments: StatementArguments(terms)
        )
        let termScalars = terms.map { Array($0.unicodeScalars) }
        let candidates: [(id: String, length: Int, frequencies: [Int])] = rows.map { row in
            let text = Array((row[1] as String).unicodeScalars)
            return (row[0], text.count, termScalars.map { occurrences(of: $0, in: text) })
        }
        let k1 = 1.2, b = 0.75
        let idf = terms.indices.map { t in
            let df = Double(candidates.count { $0.frequencies[t] > 0 })
            return log(1 + (Double(total) - df + 0.5) / (df + 0.5))
        }
        let scored = candidates.map { candidate in
            let norm = k1 * (1 - b + b * Double(candidate.length) / max(averageLength, 1))
            let score = terms.indices.reduce(0.0) { sum, t in
                let tf = Double(candidate.frequencies[t])
                return sum + idf[t] * tf * (k1 + 1) / (tf + norm)
            }
            return (candidate.id, score)
        }
        return Array(scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit))
    }

    private static func occurrences(of term: [Unicode.Scalar], in text: [Unicode.Scalar]) -> Int {
        guard !term.isEmpty, text.count >= term.count else { return 0 }
        var count = 0
        var i = 0
        while i <= text.count - term.count {
            if text[i ..< i + term.count].elementsEqual(term) {
                count += 1
                i += term.count
            } else {
                i += 1
            }
        }
        return count
    }
}
