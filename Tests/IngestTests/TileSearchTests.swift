import AtlasCore
import Encoders
import Foundation
import Illustration
import Imaging
import Retrieval
import Store
import Testing
@testable import Ingest

/// Tile-level image search with the real descriptor: a small patch of one tissue inside a large field
/// of another is found by a query of that tissue, where whole-image matching averages it away.
@Suite struct TileSearchTests {
    static let tile = 224
    static let patch = TileRect(x: 448, y: 224, width: 224, height: 224)
    static let background = Illustration.Morphology.adipose
    static let lesion = Illustration.Morphology.colonAdenocarcinoma
    /// Other tissues, the nearest to the lesion (lymphoid aggregate, invasive breast carcinoma) among them.
    static let others: [Illustration.Morphology] = [.breastIDC, .lymphoidAggregate, .fibrousStroma, .smoothMuscle, .necrosisDebris, .adipose]

    /// A `tiles`×`tiles` field of `background` (each tile its own rendering, so the magnification is the
    /// same everywhere) with one tile of `lesion` at `patch` (nil: lesion everywhere).
    static func field(tiles: Int = 4, background: Illustration.Morphology = background, patch: TileRect? = patch, seed: UInt64 = 100) -> RGBImage {
        let renderer = HistologyRenderer()
        let side = tiles * tile
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        for ty in 0..<tiles {
            for tx in 0..<tiles {
                let isPatch = patch.map { tx * tile == $0.x && ty * tile == $0.y } ?? true
                let piece = renderer.render(isPatch ? lesion : background, style: .standard, size: tile, seed: seed + UInt64(ty * tiles + tx))
                for y in 0..<tile {
                    let from = y * tile * 3
                    let to = ((ty * tile + y) * side + tx * tile) * 3
                    pixels.replaceSubrange(to..<to + tile * 3, with: piece.pixels[from..<from + tile * 3])
                }
            }
        }
        return RGBImage(width: side, height: side, pixels: pixels)
    }

    final class Index {
        let atlas: TempAtlas
        let path: String
        let store: AtlasStore

        init() throws {
            atlas = try TempAtlas()
            let style = StainStyle.standard
            try atlas.write("field/field.png", ImageCodec.encodePNG(TileSearchTests.field()))
            try atlas.write("field/entry.md", "---\ntitle: Fat with a focus of carcinoma\nimages: [field.png]\n---\n## Features\nMostly fat.\n")
            for (n, m) in TileSearchTests.others.enumerated() {
                let image = HistologyRenderer().render(m, style: style, size: 2 * TileSearchTests.tile, seed: UInt64(7 + n))
                try atlas.write("\(m.rawValue)/image.png", ImageCodec.encodePNG(image))
                try atlas.write("\(m.rawValue)/entry.md", "---\ntitle: \(m.title)\nimages: [image.png]\n---\n## Features\n\(m.title).\n")
            }
            path = atlas.root.path + ".sqlite"
            store = try AtlasStore(path: path)
            _ = try Ingester(writer: store, imageEncoder: HistologyDescriptor(), textEncoders: [], workers: 2)
                .ingest(atlasAt: atlas.root, strict: true)
        }

        deinit { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
    }

    /// A fresh rendering of the lesion tissue (another seed), as a user's 224-px tile.
    static func lesionQuery() throws -> Data {
        try ImageCodec.encodePNG(HistologyRenderer().render(lesion, style: .standard, size: tile, seed: 9_001))
    }

    @Test func aSmallPatchIsFoundByItsTilesNotByTheWholeImage() throws {
        let index = try Index()
        let encoder = HistologyDescriptor()
        let query = try encoder.embed(imageData: Self.lesionQuery(), name: "query.png")
        #expect(query.tiles.count == 1)

        let whole = try index.store.nearestImages(to: query.vector, encoder: encoder.id, k: 10)
        let tiled = try index.store.nearestImages(to: query, encoder: encoder.id, k: 10)
        // Whole-image matching: the field's mean vector is mostly fat, so the carcinoma query misses it.
        #expect(whole.first?.entryID != "field")
        let top = try #require(tiled.first)
        #expect(top.entryID == "field")
        #expect(top.bestTile == Self.patch)
        #expect(top.queryTile == nil) // a one-tile query has no tile of its own to point at
        let tileScore = try #require(top.tileScore), wholeScore = try #require(top.wholeImageScore)
        #expect(tileScore > wholeScore && top.score == tileScore)
        // The other images keep their order relative to each other only if tiles agree; each is scored at
        // least as high as its whole-image cosine.
        for hit in tiled { #expect(hit.score >= (hit.wholeImageScore ?? -1)) }
    }

    @Test func referencesCarryTheMatchedTile() throws {
        let index = try Index()
        let retriever = Retriever(reader: index.store, imageEncoder: HistologyDescriptor(), textEncoder: nil)
        let result = try retriever.retrieve(RetrievalQuery(imageData: Self.lesionQuery(), imageName: "query.png", k: 3))
        let first = try #require(result.references.first)
        #expect(first.entry == "field")
        #expect(first.image == Reference.ImageMatch(file: "field.png", tile: Self.patch, queryTile: nil))
        #expect(result.timings["search"] != nil && result.timings["fuse"] != nil)
    }

    /// A large query (a 2×2-tile field of the lesion tissue) against the same atlas: the field is found
    /// through its patch, and the reference names both tiles of the best pair.
    @Test func aMultiTileQueryNamesItsTileToo() throws {
        let index = try Index()
        let encoder = HistologyDescriptor()
        let image = Self.field(tiles: 2, patch: nil, seed: 5_000)
        let query = try encoder.embed(imageData: ImageCodec.encodePNG(image), name: "field-query.png")
        #expect(query.tiles.count == 4)
        let top = try #require(try index.store.nearestImages(to: query, encoder: encoder.id, k: 3).first)
        #expect(top.entryID == "field" && top.bestTile == Self.patch)
        let queryTile = try #require(top.queryTile)
        #expect(query.tiles.map(\.rect).contains(queryTile))
    }
}
