import AtlasCore
import Foundation
import Store
import Testing

@Suite("Opening index files")
struct OpeningTests {
    func expectStorageError(opening path: String, readOnly: Bool = false, mentioning words: [String]) {
        let error = #expect(throws: AtlasError.self) { try AtlasStore(path: path, readOnly: readOnly) }
        #expect(error?.code == .storage)
        #expect(error?.message.contains(path) == true, "message should name the file: \(error?.message ?? "")")
        for word in words {
            #expect(error?.message.contains(word) == true, "message should say '\(word)': \(error?.message ?? "")")
        }
    }

    @Test("a file that is not a database is refused with an error naming it")
    func notADatabase() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        try Data(String(repeating: "These are teaching notes, not a database. ", count: 20).utf8).write(to: URL(fileURLWithPath: index.path))
        expectStorageError(opening: index.path, mentioning: ["not a database"])
        expectStorageError(opening: index.path, readOnly: true, mentioning: ["not a database"])
    }

    @Test("an index whose header is corrupted is refused with an error naming it")
    func corruptHeader() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        var rng = SeededGenerator(seed: 30)
        do {
            let store = try openRegistered(index)
            try store.write(makeRecord(id: "a", texts: ["text"], rng: &rng))
        }
        let url = URL(fileURLWithPath: index.path)
        var bytes = try Data(contentsOf: url)
        bytes.replaceSubrange(0..<16, with: Data(repeating: 0x5A, count: 16))
        try bytes.write(to: url)
        expectStorageError(opening: index.path, mentioning: ["SQLite error"])
    }

    @Test("another program's SQLite database is refused, not migrated")
    func foreignDatabase() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let url = URL(fileURLWithPath: index.path)
        try Data(base64Encoded: Self.foreignDatabase)!.write(to: url)
        let before = try Data(contentsOf: url)
        expectStorageError(opening: index.path, mentioning: ["not an AtlasQA index"])
        #expect(try Data(contentsOf: url) == before)
    }

    @Test("read-only opening of a missing file says so; writable opening creates the index")
    func missingFile() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let error = #expect(throws: AtlasError.self) { try index.open(readOnly: true) }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains(index.path) == true)
        let store = try index.open()
        #expect(try store.counts() == AtlasCounts(entries: 0, passages: 0, images: 0, tiles: 0, vectors: 0))
        #expect(try store.integrityProblems().isEmpty)
        // Opening again (already migrated) works and keeps the contents.
        #expect(try index.open(readOnly: true).entryIDs().isEmpty)
    }

    @Test("SHA-256 of stored images matches the standard's test vectors")
    func sha256() {
        #expect(SHA256.hexDigest(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hexDigest(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
    }

    /// A 1 KiB SQLite file with one table `notes`, made by Python's sqlite3 (page size 512).
    static let foreignDatabase = "U1FMaXRlIGZvcm1hdCAzAAIAAQEAQCAgAAAAAgAAAAIAAAAAAAAAAAAAAAEAAAAEAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACAC5jAQ0AAAABAdMAAdMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAArAQYXFxcBN3RhYmxlbm90ZXNub3RlcwJDUkVBVEUgVEFCTEUgbm90ZXMoeCkNAAAAAQH6AAH6AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQBAhFoaQ=="
}
