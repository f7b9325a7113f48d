import GRDB

/// The index file's schema, as named migrations applied in order. Never edit a shipped migration:
/// add a new one, so old atlases stay readable (DESIGN.md).
enum Schema {
    /// Written to `meta` so a file can be recognised as an AtlasQA index before anything else is read.
    static let formatKey = "format"
    static let formatValue = "atlasqa-index"
    /// The number of the last migration applied ("1" as written by v1, raised by later migrations),
    /// for people and scripts reading the file; the migrator itself goes by `grdb_migrations`.
    static let versionKey = "schema_version"
    static let version = 1
    /// Bumped by every write; lets an in-memory vector index notice changes made by another process.
    static let generationKey = "generation"
    /// `encoder:<id>` → an EncoderRecord as JSON.
    static let encoderKeyPrefix = "encoder:"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-tables", migrate: createTables)
        migrator.registerMigration("v1-full-text", migrate: createFullText)
        migrator.registerMigration("v2-conversations", migrate: createConversations)
        migrator.registerMigration("v3-entry-title-in-full-text", migrate: indexEntryTitles)
        migrator.registerMigration("v4-access", migrate: createAccess)
        migrator.registerMigration("v5-audit-kept-image", migrate: addKeptImageToAudit)
        return migrator
    }

    private static func createTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE meta (
                key   TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            );
            INSERT INTO meta (key, value) VALUES
                ('\(formatKey)', '\(formatValue)'),
                ('\(versionKey)', '\(version)'),
                ('\(generationKey)', '0');

            CREATE TABLE entries (
                id           TEXT PRIMARY KEY NOT NULL,
                title        TEXT NOT NULL,
                organ        TEXT,
                diagnosis    TEXT,
                tags         TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
                stain        TEXT,
                source       TEXT NOT NULL,
                license      TEXT,
                metadata     TEXT NOT NULL DEFAULT '{}',   -- JSON object: key → JSON text
                content_hash TEXT NOT NULL,
                ingested_at  TEXT NOT NULL                 -- ISO 8601, UTC
            );

            -- rowid is explicit so the full-text tables and vectors can point at it.
            CREATE TABLE passages (
                rowid    INTEGER PRIMARY KEY,
                id       TEXT NOT NULL UNIQUE,             -- "<entry>#<ordinal>"
                entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
                ordinal  INTEGER NOT NULL,
                heading  TEXT,
                text     TEXT NOT NULL,
                language TEXT NOT NULL
            );
            CREATE INDEX passages_by_entry ON passages(entry_id, ordinal);
            CREATE INDEX passages_by_language ON passages(language);

            CREATE TABLE images (
                rowid    INTEGER PRIMARY KEY,
                entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,                 -- order within the entry
                file     TEXT NOT NULL,
                caption  TEXT,
                data     BLOB NOT NULL,                    -- the original PNG/JPEG bytes
                width    INTEGER,
                height   INTEGER,
                sha256   TEXT NOT NULL,
                UNIQUE (entry_id, file)
            );

            -- A tile is a place in an image; each image encoder's vector for it lives in `vectors`.
            CREATE TABLE tiles (
                rowid    INTEGER PRIMARY KEY,
                image_id INTEGER NOT NULL REFERENCES images(rowid) ON DELETE CASCADE,
                x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL,
                UNIQUE (image_id, x, y, w, h)
            );

            -- Unit-length float32 vectors, little-endian. `owner_id` is the rowid of the passage, image or
            -- tile; `entry_id` makes replacing an entry one delete.
            CREATE TABLE vectors (
                rowid      INTEGER PRIMARY KEY,
                owner_kind TEXT NOT NULL CHECK (owner_kind IN ('passage', 'image', 'tile')),
                owner_id   INTEGER NOT NULL,
                entry_id   TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
                encoder    TEXT NOT NULL,
                dim        INTEGER NOT NULL CHECK (dim > 0),
                vector     BLOB NOT NULL CHECK (length(vector) = 4 * dim),
                UNIQUE (encoder, owner_kind, owner_id)
            );
            CREATE INDEX vectors_by_entry ON vectors(entry_id);
            """)
    }

    /// Two FTS5 indexes over passages' heading + text, kept in sync by triggers (so every write path,
    /// including ON DELETE CASCADE from entries, updates them in the same transaction):
    /// words (unicode61, diacritics folded) for alphabetic scripts, trigrams for CJK substrings.
    private static func createFullText(_ db: Database) throws {
        try db.execute(sql: """
            CREATE VIRTUAL TABLE passage_words USING fts5(
                heading, text, content='passages', content_rowid='rowid',
                tokenize='unicode61 remove_diacritics 2'
            );
            CREATE VIRTUAL TABLE passage_trigrams USING fts5(
                heading, text, content='passages', content_rowid='rowid',
                tokenize='trigram'
            );
            CREATE TRIGGER passages_after_insert AFTER INSERT ON passages BEGIN
                INSERT INTO passage_words (rowid, heading, text) VALUES (new.rowid, new.heading, new.text);
                INSERT INTO passage_trigrams (rowid, heading, text) VALUES (new.rowid, new.heading, new.text);
            END;
            CREATE TRIGGER passages_after_delete AFTER DELETE ON passages BEGIN
                INSERT INTO passage_words (passage_words, rowid, heading, text)
                    VALUES ('delete', old.rowid, old.heading, old.text);
                INSERT INTO passage_trigrams (passage_trigrams, rowid, heading, text)
                    VALUES ('delete', old.rowid, old.heading, old.text);
            END;
            CREATE TRIGGER passages_after_update AFTER UPDATE ON passages BEGIN
                INSERT INTO passage_words (passage_words, rowid, heading, text)
                    VALUES ('delete', old.rowid, old.heading, old.text);
                INSERT INTO passage_trigrams (passage_trigrams, rowid, heading, text)
                    VALUES ('delete', old.rowid, old.heading, old.text);
                INSERT INTO passage_words (rowid, heading, text) VALUES (new.rowid, new.heading, new.text);
                INSERT INTO passage_trigrams (rowid, heading, text) VALUES (new.rowid, new.heading, new.text);
            END;
            """)
    }

    /// Passages are also found by their entry's title ("ductal carcinoma in situ" names the entry, and its
    /// sections rarely repeat it): the title is copied into each passage row and indexed as a third column.
    /// The copy keeps the FTS5 delete triggers self-contained (an entry row is gone before its cascade ends).
    private static func indexEntryTitles(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE passages ADD COLUMN entry_title TEXT NOT NULL DEFAULT '';
            UPDATE passages SET entry_title = coalesce((SELECT title FROM entries WHERE entries.id = passages.entry_id), '');
            DROP TRIGGER passages_after_insert;
            DROP TRIGGER passages_after_delete;
            DROP TRIGGER passages_after_update;
            DROP TABLE passage_words;
            DROP TABLE passage_trigrams;

            CREATE VIRTUAL TABLE passage_words USING fts5(
                entry_title, heading, text, content='passages', content_rowid='rowid',
                tokenize='unicode61 remove_diacritics 2'
            );
            CREATE VIRTUAL TABLE passage_trigrams USING fts5(
                entry_title, heading, text, content='passages', content_rowid='rowid',
                tokenize='trigram'
            );
            CREATE TRIGGER passages_after_insert AFTER INSERT ON passages BEGIN
                INSERT INTO passage_words (rowid, entry_title, heading, text)
                    VALUES (new.rowid, new.entry_title, new.heading, new.text);
                INSERT INTO passage_trigrams (rowid, entry_title, heading, text)
                    VALUES (new.rowid, new.entry_title, new.heading, new.text);
            END;
            CREATE TRIGGER passages_after_delete AFTER DELETE ON passages BEGIN
                INSERT INTO passage_words (passage_words, rowid, entry_title, heading, text)
                    VALUES ('delete', old.rowid, old.entry_title, old.heading, old.text);
                INSERT INTO passage_trigrams (passage_trigrams, rowid, entry_title, heading, text)
                    VALUES ('delete', old.rowid, old.entry_title, old.heading, old.text);
            END;
            CREATE TRIGGER passages_after_update AFTER UPDATE ON passages BEGIN
                INSERT INTO passage_words (passage_words, rowid, entry_title, heading, text)
                    VALUES ('delete', old.rowid, old.entry_title, old.heading, old.text);
                INSERT INTO passage_trigrams (passage_trigrams, rowid, entry_title, heading, text)
                    VALUES ('delete', old.rowid, old.entry_title, old.heading, old.text);
                INSERT INTO passage_words (rowid, entry_title, heading, text)
                    VALUES (new.rowid, new.entry_title, new.heading, new.text);
                INSERT INTO passage_trigrams (rowid, entry_title, heading, text)
                    VALUES (new.rowid, new.entry_title, new.heading, new.text);
            END;
            INSERT INTO passage_words (passage_words) VALUES ('rebuild');
            INSERT INTO passage_trigrams (passage_trigrams) VALUES ('rebuild');
            UPDATE meta SET value = '3' WHERE key = '\(versionKey)';
            """)
    }

    /// `serve --keep-images`: the audit row names the file the query image was kept in (NULL: not kept).
    private static func addKeptImageToAudit(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE audit_log ADD COLUMN image_file TEXT")
    }
}
