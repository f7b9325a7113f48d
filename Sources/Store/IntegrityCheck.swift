import GRDB

extension AtlasStore {
    /// Problems found in the index file, empty when it is sound: SQLite's own check, foreign keys, both
    /// full-text indexes against the passages, and vectors whose owner row is gone.
    /// Needs a writable store: FTS5 runs its check as an INSERT command (that changes nothing).
    public func integrityProblems() throws -> [String] {
        try whileDoing("checking the integrity of '\(path)'") {
            try pool.write { db in
                var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
                let foreignKeyViolations = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
                problems += foreignKeyViolations.map { "foreign key violation in table \($0[0] as String), rowid \($0[1] as Int64? ?? -1)" }
                for table in ["passage_words", "passage_trigrams"] {
                    do {
                        // 'rank' = 1 also compares the index with the content table (SQLite ≥ 3.38).
                        try db.execute(sql: "INSERT INTO \(table) (\(table), rank) VALUES ('integrity-check', 1)")
                    } catch let error as DatabaseError {
                        problems.append("full-text index \(table) disagrees with passages: \(describe(error))")
                    }
                }
                let orphans = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM vectors v WHERE NOT EXISTS (
                        SELECT 1 FROM passages p WHERE v.owner_kind = 'passage' AND p.rowid = v.owner_id
                        UNION ALL SELECT 1 FROM images i WHERE v.owner_kind = 'image' AND i.rowid = v.owner_id
                        UNION ALL SELECT 1 FROM tiles t WHERE v.owner_kind = 'tile' AND t.rowid = v.owner_id)
                    """) ?? 0
                if orphans > 0 { problems.append("\(orphans) vectors belong to no passage, image or tile") }
                return problems
            }
        }
    }
}

extension AtlasStore {
    /// Tidies the file after a large ingest: merges each full-text index into one b-tree (faster queries),
    /// refreshes the query planner's statistics, and folds the WAL back into the main file.
    public func optimize() throws {
        try whileDoing("optimising '\(path)'") {
            try pool.write { db in
                for table in ["passage_words", "passage_trigrams"] {
                    try db.execute(sql: "INSERT INTO \(table) (\(table)) VALUES ('optimize')")
                }
                try db.execute(sql: "PRAGMA optimize")
            }
            try pool.writeWithoutTransaction { db in
                _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
    }
}
