// swift-tools-version:6.1
import PackageDescription

// Layering (ARCHITECTURE.md): fulcrum → FulcrumReport → FulcrumExperiment → FulcrumLua → FulcrumCore.
// FulcrumCore knows nothing of Lua, manifests, the store or the CLI.
let package = Package(
    name: "Fulcrum",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "fulcrum", targets: ["fulcrum"]),
        .library(name: "FulcrumCore", targets: ["FulcrumCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Optimised in debug builds too: the tests train real networks, and unoptimised tensor loops
        // run them ~20× slower.
        .target(name: "FulcrumCore", dependencies: ["CBLAS", "CZlib"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The policy host's C code: the sandbox's allocator and watchdog, `require`'s reader, the per-step marshalling.
        .target(name: "CFulcrumHost", dependencies: ["CLua"]),
        .target(name: "FulcrumLua", dependencies: ["FulcrumCore", "CLua", "CFulcrumHost"]),
        .target(name: "FulcrumExperiment", dependencies: [
            "FulcrumCore", "FulcrumLua",
            .product(name: "Yams", package: "Yams"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The argument parser parses a notebook's commands with the CLI's own option groups.
        .target(name: "FulcrumReport", dependencies: [
            "FulcrumExperiment", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "fulcrum", dependencies: [
            "FulcrumReport", "FulcrumExperiment",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "FulcrumTestSupport", path: "Tests/FulcrumTestSupport"),
        .target(name: "FulcrumStoreFixtures", dependencies: [
            "FulcrumExperiment", "FulcrumTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ], path: "Tests/FulcrumStoreFixtures"),
        .testTarget(name: "FulcrumCoreTests", dependencies: ["FulcrumCore", "FulcrumTestSupport"]),
        .testTarget(name: "FulcrumLuaTests", dependencies: ["FulcrumLua", "FulcrumTestSupport"]),
        .testTarget(name: "FulcrumExperimentTests", dependencies: [
            "FulcrumExperiment", "FulcrumLua", "FulcrumTestSupport", "FulcrumStoreFixtures", .product(name: "GRDB", package: "GRDB.swift"),
        ], exclude: ["Golden"]),
        .testTarget(name: "FulcrumReportTests", dependencies: ["FulcrumReport", "FulcrumExperiment", "FulcrumTestSupport", "FulcrumStoreFixtures"]),
        .testTarget(name: "FulcrumCLITests", dependencies: [
            "fulcrum", "FulcrumExperiment", "FulcrumTestSupport", "FulcrumStoreFixtures", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ]
)
