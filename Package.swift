// swift-tools-version: 6.1
import PackageDescription

// Every target gets the same strict settings (see STYLE.md).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

// Pixel loops and neural-network layers are 10–50× slower unoptimised; these modules are optimised in debug
// builds too, so tests and the demo run at a usable speed while the rest stays debuggable.
let hotPath: [SwiftSetting] = strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "AtlasQA",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "atlasqa", targets: ["atlasqa"]),
        .executable(name: "render-atlas", targets: ["render-atlas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // C system libraries, wrapped in Swift at once by the module above them.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        // gzip for uploaded .tar.gz atlases (zlib is already linked through libpng).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "AtlasCore", swiftSettings: strict),
        // Int8 dot-product kernels (AVX2 / AVX-512 VNNI chosen at run time, portable fallback), optimised in debug too.
        .target(name: "CVectorKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "LinearAlgebra", dependencies: ["CBLAS", "CVectorKernels"], swiftSettings: hotPath),
        .target(name: "Imaging", dependencies: ["CPNG", "CTurboJPEG"], swiftSettings: hotPath),
        // Procedural H&E-like illustrations: the bundled atlas's images, test and benchmark atlases.
        .target(name: "Illustration", dependencies: ["Imaging"], swiftSettings: hotPath),
        .target(name: "Encoders", dependencies: ["AtlasCore", "LinearAlgebra", "Imaging"], swiftSettings: hotPath),
        .target(
            name: "Store",
            dependencies: ["AtlasCore", "LinearAlgebra", .product(name: "GRDB", package: "GRDB.swift"),
                           // GRDB's own SQLite module: the vector loader steps statements with the C API.
                           .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(name: "Retrieval", dependencies: ["AtlasCore", "LinearAlgebra"], swiftSettings: strict),
        .target(
            name: "Answering",
            dependencies: ["AtlasCore", "Retrieval", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
        .target(
            name: "Ingest",
            dependencies: ["AtlasCore", "Imaging", "Encoders", "Store", "Yams"],
            swiftSettings: strict
        ),
        .target(
            name: "Server",
            dependencies: [
                "AtlasCore", "Retrieval", "Answering", "Store", "CZlib", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "atlasqa",
            dependencies: [
                "AtlasCore", "LinearAlgebra", "Imaging", "Encoders", "Store", "Retrieval", "Answering", "Ingest", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Text-encoder benchmark (Scripts/bench-text runs it in release beside the Python peers).
        .executableTarget(
            name: "bench-text", dependencies: ["AtlasCore", "Encoders", "LinearAlgebra"], swiftSettings: strict
        ),
        // Benchmark driver run by Scripts/bench in release beside the numpy and sqlite-vec peers.
        .executableTarget(
            name: "atlasqa-bench",
            dependencies: [
                "AtlasCore", "LinearAlgebra", "Imaging", "Illustration", "Encoders", "Store", "Retrieval", "Answering",
                "Ingest", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "render-atlas",
            dependencies: ["Illustration", "Imaging", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),

        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"], swiftSettings: strict),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: strict),
        .testTarget(
            name: "EncodersTests", dependencies: ["Encoders", "Imaging", "Illustration", "AtlasCore"],
            resources: [.copy("Fixtures")], swiftSettings: strict
        ),
        .testTarget(name: "StoreTests", dependencies: ["Store", "AtlasCore"], swiftSettings: strict),
        .testTarget(name: "RetrievalTests", dependencies: ["Retrieval", "AtlasCore", "Encoders"], swiftSettings: strict),
        .testTarget(
            name: "AnsweringTests",
            dependencies: [
                "Answering", "Retrieval", "AtlasCore", "Store", "Imaging",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IngestTests",
            dependencies: ["Ingest", "Store", "Imaging", "Illustration", "AtlasCore", "Encoders", "Retrieval"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Store", "AtlasCore", "Answering", "Retrieval", "Ingest", "Encoders", "Illustration", "Imaging",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // Runs the built `atlasqa` binary end to end (ingest, retrieve, ask) on generated and bundled atlases.
        .testTarget(name: "AtlasQACLITests", dependencies: ["AtlasCore", "Imaging", "Illustration", "Answering"], swiftSettings: strict),
    ]
)
