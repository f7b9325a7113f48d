// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for AtlasQA's parsers of outside input. Kept out of the main package so its build and
// CI never see the sanitizer flags; `Scripts/fuzz` builds this with `-sanitize=fuzzer,address` and runs each.
//
// The code under test is the main package's own source: Sources/AtlasCore, CPNG, CTurboJPEG and Imaging are
// symlinks to its module folders, and the parser targets hold symlinks to the few files they need (so the
// fuzzers need neither GRDB nor NIO built with sanitizers, and internal parser functions are reachable).

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "AtlasQAFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CPNG", pkgConfig: "libpng"),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg"),
        .target(name: "AtlasCore", swiftSettings: strict),
        .target(name: "Imaging", dependencies: ["CPNG", "CTurboJPEG"], swiftSettings: strict),
        // Sources/Ingest's atlas parsers (front matter, Markdown sections, JSON Lines) and what they call.
        .target(name: "IngestParsers", dependencies: ["AtlasCore", .product(name: "Yams", package: "Yams")], swiftSettings: strict),
        // Hands control to libFuzzer from each fuzzer's main.swift.
        .target(name: "FuzzDriver", swiftSettings: strict),

        .executableTarget(name: "fuzz-png", dependencies: ["Imaging", "FuzzDriver"], swiftSettings: strict),
        .executableTarget(name: "fuzz-jpeg", dependencies: ["Imaging", "FuzzDriver"], swiftSettings: strict),
        .executableTarget(name: "fuzz-entry-md", dependencies: ["IngestParsers", "FuzzDriver"], swiftSettings: strict),
        .executableTarget(name: "fuzz-jsonl", dependencies: ["IngestParsers", "FuzzDriver"], swiftSettings: strict),
        // Sources/Server/MultipartForm.swift (a symlink), without Hummingbird.
        .executableTarget(name: "fuzz-multipart", dependencies: ["FuzzDriver"], swiftSettings: strict),
        // Sources/Answering/SSEParser.swift (a symlink), without AsyncHTTPClient.
        .executableTarget(name: "fuzz-sse", dependencies: ["FuzzDriver"], swiftSettings: strict),
    ]
)

// Writes the image seeds of Corpus/ (built without sanitizers: `swift run --build-path .build-seeds fuzz-seeds`).
package.targets.append(.executableTarget(name: "fuzz-seeds", dependencies: ["Imaging"], swiftSettings: strict))
