import AtlasCore
import Foundation
import Testing
@testable import Ingest

@Suite struct FolderAtlasTests {
    static let dcis = """
        ---
        title: Ductal carcinoma in situ (breast)
        organ: breast
        diagnosis: Ductal carcinoma in situ
        tags: [neoplastic, in situ, duct]
        stain: H&E
        source: "Project-authored teaching text"
        license: CC-BY-4.0
        magnification: 20
        reviewers: [ann, bo]
        images:
          - file: dcis-solid.png
            caption: Expanded duct filled by a monotonous population of cells, 20x
          - dcis-cribriform.jpg
        ---
        # Ductal carcinoma in situ

        Intro before any section.

        ## Microscopic features
        Ducts are expanded by neoplastic cells.

        ### Nuclear grade
        Grade matters.

        ```
        ## not a heading inside a fence
        ```
        ## Differential diagnosis ##
        Atypical ductal hyperplasia.
        ## 镜下特点
        导管扩张，由单一形态的肿瘤细胞充填。
        """

    func makeDCIS(_ atlas: TempAtlas) throws {
        try atlas.write("breast-dcis/entry.md", Self.dcis)
        try atlas.write("breast-dcis/dcis-solid.png", TempAtlas.pngHead)
        try atlas.write("breast-dcis/dcis-cribriform.jpg", TempAtlas.jpegHead)
    }

    @Test func frontMatterFields() throws {
        let atlas = try TempAtlas()
        try makeDCIS(atlas)
        try atlas.write("atlas.json", #"{"name": "Test atlas", "version": "1"}"#)
        let parsed = try AtlasParser.parse(at: atlas.root)
        #expect(parsed.problems.isEmpty)
        #expect(parsed.format == .folder)
        #expect(parsed.info?.name == "Test atlas")
        let entry = try #require(parsed.entries.first).entry
        #expect(entry.id == "breast-dcis")
        #expect(entry.title == "Ductal carcinoma in situ (breast)")
        #expect(entry.organ == "breast")
        #expect(entry.diagnosis == "Ductal carcinoma in situ")
        #expect(entry.tags == ["neoplastic", "in situ", "duct"])
        #expect(entry.stain == "H&E")
        #expect(entry.source == "Project-authored teaching text")
        #expect(entry.license == "CC-BY-4.0")
        #expect(entry.metadata == ["magnification": "20", "reviewers": #"["ann","bo"]"#])
        #expect(entry.images == [
            AtlasImage(file: "dcis-solid.png", caption: "Expanded duct filled by a monotonous population of cells, 20x"),
            AtlasImage(file: "dcis-cribriform.jpg"),
        ])
        #expect(parsed.entries[0].imageURLs.map(\.lastPathComponent) == ["dcis-solid.png", "dcis-cribriform.jpg"])
    }

    @Test func sectionsBecomePassages() throws {
        let atlas = try TempAtlas()
        try makeDCIS(atlas)
        let passages = try #require(try AtlasParser.parse(at: atlas.root).entries.first).entry.passages
        #expect(passages.map(\.id) == ["breast-dcis#1", "breast-dcis#2", "breast-dcis#3", "breast-dcis#4"])
        #expect(passages.map(\.heading) == [nil, "Microscopic features", "Differential diagnosis", "镜下特点"])
        #expect(passages[0].text == "Intro before any section.")
        #expect(passages[1].text.contains("### Nuclear grade"))
        #expect(passages[1].text.contains("## not a heading inside a fence"))
        #expect(passages[2].text == "Atypical ductal hyperplasia.")
        #expect(passages[3].language == .zh)
        #expect(passages[1].language == .en)
    }

    @Test func longSectionsSplitIntoConsecutivePassagesWithStableIDs() throws {
        let atlas = try TempAtlas()
        let long = (1...5).map { words(60, prefix: "p\($0)w") }.joined(separator: "\n\n")
        let zh = (0..<2).map { ideographs(300, from: 0x4E00 + UInt32($0) * 400) + "。" }.joined(separator: "\n\n")
        try atlas.write("lesion/entry.md", "---\ntitle: Lesion\n---\n## Features\n\(long)\n## 特点\n\(zh)\n## Last\nShort.\n")
        let first = try #require(try AtlasParser.parse(at: atlas.root).entries.first).entry.passages
        #expect(first.map(\.heading) == ["Features", "Features", "特点", "特点", "Last"])
        #expect(first.map(\.ordinal) == [1, 2, 3, 4, 5])
        #expect(first[0].text.hasPrefix("p1w1 ") && first[1].text.hasSuffix("p5w60."))

        // Re-parsing unchanged text gives the same ids and texts; editing the last section leaves earlier passages alone.
        #expect(try AtlasParser.parse(at: atlas.root).entries[0].entry.passages == first)
        try atlas.write("lesion/entry.md", "---\ntitle: Lesion\n---\n## Features\n\(long)\n## 特点\n\(zh)\n## Last\nShort, now edited.\n")
        let edited = try AtlasParser.parse(at: atlas.root).entries[0].entry.passages
        #expect(Array(edited.prefix(4)) == Array(first.prefix(4)))
        #expect(edited[4].id == "lesion#5" && edited[4].text == "Short, now edited.")
    }

    @Test func defaultsAndRequiredTitle() throws {
        let atlas = try TempAtlas()
        try atlas.write("no-source/entry.md", "---\ntitle: No source\n---\nText.\n")
        try atlas.write("no-title/entry.md", "---\norgan: colon\n---\nText.\n")
        let parsed = try AtlasParser.parse(at: atlas.root)
        #expect(parsed.entries.map(\.entry.id) == ["no-source"])
        #expect(parsed.entries[0].entry.source == "unspecified")
        let problem = try #require(parsed.problems.first)
        #expect(problem.entry == "no-title" && problem.message.contains("title") && problem.file.hasSuffix("no-title/entry.md"))
    }

    @Test func badYAMLIsReportedWithItsFileLine() throws {
        let atlas = try TempAtlas()
        try makeDCIS(atlas)
        // Line 4 of the file has a flow sequence that is never closed; the fault is found on line 5.
        try atlas.write("broken/entry.md", "---\ntitle: Broken\nsource: x\ntags: [a, b\norgan: colon\n---\nText.\n")
        let parsed = try AtlasParser.parse(at: atlas.root)
        #expect(parsed.entries.map(\.entry.id) == ["breast-dcis"])
        let problem = try #require(parsed.problems.first)
        #expect(problem.file == atlas.url("broken/entry.md").path)
        #expect(problem.entry == "broken")
        #expect(problem.message.hasPrefix("bad YAML front matter"))
        #expect(problem.line == 5)
    }

    @Test func yamlErrorLineCountsTheOpeningDashes() throws {
        let atlas = try TempAtlas()
        // A tab is not allowed as indentation in YAML; it sits on file line 3.
        try atlas.write("tabbed/entry.md", "---\ntitle: T\n\tsource: x\n---\nText.\n")
        let problem = try #require(try AtlasParser.parse(at: atlas.root).problems.first)
        #expect(problem.line == 3)
    }

    @Test func missingEntryFileAndFrontMatter() throws {
        let atlas = try TempAtlas()
        try makeDCIS(atlas)
        try atlas.write("empty-folder/notes.txt", "no entry.md here")
        try atlas.write("no-front/entry.md", "## Just markdown\nText.\n")
        try atlas.write("unclosed/entry.md", "---\ntitle: x\n## Text\n")
        let parsed = try AtlasParser.parse(at: atlas.root)
        #expect(parsed.entries.map(\.entry.id) == ["breast-dcis"])
        let byEntry = Dictionary(uniqueKeysWithValues: parsed.problems.map { ($0.entry ?? "", $0) })
        #expect(byEntry["empty-folder"]?.file == atlas.url("empty-folder/entry.md").path)
        #expect(byEntry["empty-folder"]?.message.contains("no entry.md") == true)
        #expect(byEntry["no-front"]?.line == 1)
        #expect(byEntry["unclosed"]?.message.contains("never closed") == true)
        #expect(parsed.skipped == 3)
    }

    @Test func imageProblemsNameTheLineOfTheImage() throws {
        let atlas = try TempAtlas()
        try atlas.write("secret.png", TempAtlas.pngHead)
        try atlas.write("imgs/entry.md", """
            ---
            title: Images
            images:
              - file: missing.png
              - ../secret.png
              - /etc/passwd
              - notes.png
              - empty.jpg
              - file: ok.png
            ---
            Text.
            """)
        try atlas.write("imgs/notes.png", "just text, not an image")
        try atlas.write("imgs/empty.jpg", Data())
        try atlas.write("imgs/ok.png", TempAtlas.pngHead)
        let parsed = try AtlasParser.parse(at: atlas.root)
        #expect(parsed.entries.isEmpty)
        let problems = parsed.problems
        #expect(problems.map(\.line) == [4, 5, 6, 7, 8])
        #expect(problems.allSatisfy { $0.entry == "imgs" && $0.file == atlas.url("imgs/entry.md").path })
        #expect(problems[0].message.contains("'missing.png' not found"))
        #expect(problems[1].message.contains("leaves the atlas folder"))
        #expect(problems[2].message.contains("absolute"))
        #expect(problems[3].message.contains("neither PNG nor JPEG"))
        #expect(problems[4].message.contains("empty"))
    }

    @Test func symlinkOutOfTheAtlasIsRefused() throws {
        let outside = try TempAtlas()
        let target = try outside.write("outside.png", TempAtlas.pngHead)
        let atlas = try TempAtlas()
        try atlas.write("link/entry.md", "---\ntitle: Link\nimages: [sneaky.png]\n---\nText.\n")
        try FileManager.default.createSymbolicLink(at: atlas.url("link/sneaky.png"), withDestinationURL: target)
        let problem = try #require(try AtlasParser.parse(at: atlas.root).problems.first)
        #expect(problem.message.contains("outside the atlas folder"))
    }

    @Test func folderNamesMustBeEntryIDs() throws {
        let atlas = try TempAtlas()
        try makeDCIS(atlas)
        try atlas.write("Bad Name/entry.md", "---\ntitle: x\n---\nText.\n")
        try atlas.write("_assets/logo.txt", "ignored")
        try atlas.write(".git/config", "ignored")
        let parsed = try AtlasParser.parse(at: atlas.root)
        #expect(parsed.entries.map(\.entry.id) == ["breast-dcis"])
        #expect(parsed.problems.count == 1)
        #expect(parsed.problems[0].message.contains("not an entry id"))
    }

    @Test func missingAtlasThrows() {
        #expect(throws: AtlasError.self) {
            try AtlasParser.parse(at: URL(fileURLWithPath: "/nonexistent/atlas-\(UUID().uuidString)"))
        }
    }
}

extension FolderAtlasTests {
    @Test func duplicatedYAMLKeysAreReportedOnTheirLine() throws {
        let atlas = try TempAtlas()
        try atlas.write("dup/entry.md", "---\ntitle: A\nsource: x\ntitle: B\n---\nText.\n")
        let problem = try #require(try AtlasParser.parse(at: atlas.root).problems.first)
        #expect(problem.message.contains("'title'"))
        #expect(problem.line == 2)  // Yams points at the first of the duplicates
    }
}
