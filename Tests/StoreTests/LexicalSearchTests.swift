import AtlasCore
import Foundation
import Store
import Testing

@Suite("Lexical search (FTS5 BM25)")
struct LexicalSearchTests {
    /// One entry per text, so a passage id is "<id>#1".
    static func store(_ texts: [String: String]) throws -> (TemporaryIndex, AtlasStore) {
        let index = try TemporaryIndex()
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 10)
        for (id, text) in texts.sorted(by: { $0.key < $1.key }) {
            var record = makeRecord(id: id, texts: [text], rng: &rng)
            record.entry.passages[0].heading = nil
            try store.write(record)
        }
        return (index, store)
    }

    static let english = [
        "granuloma": "A granuloma with epithelioid histiocytes and multinucleated giant cells.",
        "necrosis": "Caseous necrosis fills the centre of the lesion.",
        "adipose": "Mature adipose tissue with a café-au-lait tinge in the table of contents.",
        "mitosis": "Frequent mitoses (MIB-1 > 20%) in HER2 positive carcinoma.",
    ]

    @Test("FTS5 syntax and SQL fragments are searched as words, never throw, and change nothing",
          arguments: [
              "\"", "*", "NEAR(", "-foo", "a AND b", "'); DROP TABLE entries;--", "🧫🔬", "", "   ", "\"unbalanced",
              "col:term", "^start", "(a OR", "NOT", "AND OR NEAR", "\u{0}", "''", "text:", "{heading text}:x", "x + y",
              "a\"\"b", String(repeating: "granuloma ", count: 500),
          ])
    func hostileInput(_ query: String) throws {
        let (index, store) = try Self.store(Self.english)
        defer { index.remove() }
        _ = try store.lexicalSearch(query, k: 5)
        #expect(try store.counts().entries == 4)
    }

    @Test("queries wrapped in FTS5 syntax still find the plain word",
          arguments: [
              ("\"granuloma\"", "granuloma#1"), ("granuloma*", "granuloma#1"), ("-necrosis", "necrosis#1"),
              ("NEAR(necrosis", "necrosis#1"), ("heading:mitoses", "mitosis#1"), ("'); DROP TABLE adipose;--", "adipose#1"),
              ("Granuloma?!", "granuloma#1"), ("CAFE", "adipose#1"), ("her2", "mitosis#1"), ("ＨＥＲ２", "mitosis#1"),
          ])
    func syntaxAroundWords(_ query: String, expected: String) throws {
        let (index, store) = try Self.store(Self.english)
        defer { index.remove() }
        #expect(try store.lexicalSearch(query, k: 5).first?.passageID == expected)
    }

    @Test("mentions agrees with search on whether any passage holds a word, English and Chinese of every length",
          arguments: ["granuloma", "GIANT", "glomerulus", "坏死", "肉芽肿", "肾", "肾小球", "\"); DROP", "", "NEAR("])
    func mentionsAgreesWithSearch(_ word: String) throws {
        var texts = Self.english
        texts["zh"] = "干酪样坏死的肉芽肿，周围有上皮样组织细胞。"
        let (index, store) = try Self.store(texts)
        defer { index.remove() }
        #expect(try store.mentions(word) == !store.lexicalSearch(word, k: 1).isEmpty, "\(word)")
    }

    @Test("empty or symbol-only input and k = 0 give no hits")
    func noTerms() throws {
        let (index, store) = try Self.store(Self.english)
        defer { index.remove() }
        #expect(try store.lexicalSearch("", k: 5).isEmpty)
        #expect(try store.lexicalSearch("?! -- ** 🔬", k: 5).isEmpty)
        #expect(try store.lexicalSearch("granuloma", k: 0).isEmpty)
    }

    @Test("BM25 ranks the passage with more matches first, scores positive and decreasing")
    func ranking() throws {
        let (index, store) = try Self.store([
            "once": "Necrosis is present in one small focus of this lymph node today.",
            "thrice": "Necrosis, necrosis and more necrosis in this lymph node today.",
            "none": "Reactive follicles with tingible body macrophages in this node.",
            "both": "Necrosis with granuloma formation in this lymph node today.",
        ])
        defer { index.remove() }
        let byCount = try store.lexicalSearch("necrosis", k: 10)
        #expect(byCount.map(\.passageID).first == "thrice#1")
        #expect(!byCount.map(\.passageID).contains("none#1"))
        #expect(byCount.allSatisfy { $0.score > 0 })
        #expect(zip(byCount, byCount.dropFirst()).allSatisfy { $0.score >= $1.score })

        // Matching two of the query's words beats matching one.
        #expect(try store.lexicalSearch("granuloma necrosis", k: 10).first?.passageID == "both#1")
    }

    @Test("Chinese terms of 1, 2 and 3+ characters find Chinese passages",
          arguments: [
              ("癌", "dcis#1"), ("坏死", "granuloma#1"), ("肉芽肿", "granuloma#1"), ("脂肪细胞", "adipose#1"),
              ("什么是干酪样坏死？", "granuloma#1"), ("导管原位癌的镜下特点", "dcis#1"),
          ])
    func chinese(_ query: String, expected: String) throws {
        let (index, store) = try Self.store([
            "dcis": "乳腺导管原位癌：导管内充满单一形态的肿瘤细胞。",
            "granuloma": "淋巴结内见肉芽肿，伴干酪样坏死。",
            "adipose": "脂肪组织由成熟脂肪细胞构成，细胞核偏位。",
            "english": "Adipose tissue and granulomas, in English only.",
        ])
        defer { index.remove() }
        let hits = try store.lexicalSearch(query, k: 5)
        #expect(hits.first?.passageID == expected)
        #expect(!hits.map(\.passageID).contains("english#1"))
    }

    @Test("a short Chinese term ranks the passage where it occurs more often first")
    func chineseRanking() throws {
        let (index, store) = try Self.store([
            "one": "镜下见坏死灶，周围组织大致正常，未见其他异常改变。",
            "two": "镜下见坏死灶，大片坏死，周围组织未见其他异常改变。",
            "zero": "镜下见成熟脂肪组织，周围组织未见其他异常改变。",
        ])
        defer { index.remove() }
        let hits = try store.lexicalSearch("坏死", k: 5)
        #expect(hits.map(\.passageID) == ["two#1", "one#1"])
        #expect(hits.allSatisfy { $0.score > 0 })
    }

    @Test("a mixed English and Chinese question finds passages in either language")
    func mixed() throws {
        let (index, store) = try Self.store([
            "en": "HER2 amplification is scored by immunohistochemistry.",
            "zh": "免疫组化显示阳性表达。",
            "other": "Nothing relevant here at all.",
        ])
        defer { index.remove() }
        let ids = Set(try store.lexicalSearch("HER2阳性", k: 5).map(\.passageID))
        #expect(ids == ["en#1", "zh#1"])
    }

    @Test("Chinese question words do not pull in passages that merely contain them")
    func chineseQuestionWords() throws {
        let (index, store) = try Self.store([
            "necrosis": "坏死灶周围可见炎细胞浸润。",
            "question": "鉴别诊断时常问：这是什么病变？是什么原因？",
            "other": "成熟脂肪组织。",
        ])
        defer { index.remove() }
        #expect(try store.lexicalSearch("这是什么坏死？", k: 5).map(\.passageID) == ["necrosis#1"])
        // Nothing but question words: searched with them rather than for nothing.
        #expect(try store.lexicalSearch("是什么", k: 5).map(\.passageID) == ["question#1"])
    }

    @Test("the question at the end of a long conversation context is still searched")
    func longContext() throws {
        let (index, store) = try Self.store(Self.english)
        defer { index.remove() }
        let context = (0..<300).map { "filler\($0)" }.joined(separator: " ")
        let chineseContext = String(repeating: "前面的对话内容很长很长，", count: 40)
        #expect(try store.lexicalSearch(context + "\n" + chineseContext + "\nWhere is the granuloma?", k: 3).first?.passageID == "granuloma#1")
        #expect(try store.lexicalSearch("granuloma", k: Int.max).count == 1)
    }

    @Test("an entry's title finds its passages even when their text does not repeat it")
    func titles() throws {
        let index = try TemporaryIndex()
        defer { index.remove() }
        let store = try openRegistered(index)
        var rng = SeededGenerator(seed: 11)
        try store.write(makeRecord(id: "dcis", title: "Ductal carcinoma in situ (breast)",
                                   texts: ["Expanded ducts with monotonous cells.", "Calcifications are common."], rng: &rng))
        try store.write(makeRecord(id: "idc", title: "Invasive breast tumour",
                                   texts: ["Infiltrating carcinoma cells in desmoplastic stroma."], rng: &rng))
        try store.write(makeRecord(id: "zh", title: "乳腺导管原位癌", texts: ["导管扩张，内见单一形态细胞。"], rng: &rng))
        let hits = try store.lexicalSearch("ductal carcinoma in situ", k: 5).map(\.passageID)
        #expect(Array(hits.prefix(2)).sorted() == ["dcis#1", "dcis#2"])
        #expect(hits.contains("idc#1"))
        #expect(try store.lexicalSearch("原位癌", k: 5).map(\.passageID) == ["zh#1"])
        #expect(try store.lexicalSearch("原位", k: 5).map(\.passageID) == ["zh#1"])
        // Re-writing under a new title re-indexes it.
        try store.write(makeRecord(id: "dcis", title: "Renamed entry", texts: ["Expanded ducts."], hash: "h2", rng: &rng))
        #expect(try store.lexicalSearch("situ", k: 5).isEmpty)
        #expect(try store.integrityProblems().isEmpty)
    }
}
