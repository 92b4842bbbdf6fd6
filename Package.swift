// swift-tools-version:6.0
import PackageDescription

/// One target per layer so the compiler keeps the dependency direction:
/// Server → Storage, Wire → Core, and Core imports nothing of the others.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The server's connection and engine state lives in classes touched by one thread at a time (the
/// event loop, the writer queue), so the run-time exclusivity check on every class property access
/// only costs: about 6% of a STOCK request's instructions in callgrind. Compile-time checks stay.
let hotPath: [SwiftSetting] = strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "ReturnLedger",
    products: [
        .executable(name: "returnledger", targets: ["returnledger"]),
        .executable(name: "wal", targets: ["wal"]),
    ],
    targets: [
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        .systemLibrary(name: "CEpoll", path: "Sources/CEpoll"),
        /// CRC-32C with the processor's instruction (the tables where it has none).
        .systemLibrary(name: "CCRC32C", path: "Sources/CCRC32C"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", providers: [.apt(["libssl-dev"])]),
        /// SHA-256 of the system's libcrypto: the core chains documents (protocol.md, Document chain).
        .systemLibrary(name: "CSHA256", path: "Sources/CSHA256", providers: [.apt(["libssl-dev"])]),
        .target(name: "ReturnLedgerCore", dependencies: ["CSHA256"], swiftSettings: strict),
        .target(name: "ReturnLedgerWire", dependencies: ["ReturnLedgerCore"], swiftSettings: strict),
        .target(name: "ReturnLedgerStorage", dependencies: ["ReturnLedgerCore", "CCRC32C"], swiftSettings: strict),
        .target(
            name: "ReturnLedgerServer",
            dependencies: ["ReturnLedgerCore", "ReturnLedgerWire", "ReturnLedgerStorage", "CCrypt", "CEpoll", "COpenSSL"],
            swiftSettings: hotPath
        ),
        .executableTarget(name: "returnledger", dependencies: ["ReturnLedgerServer", "ReturnLedgerStorage"], swiftSettings: strict),
        .executableTarget(name: "bench", dependencies: ["COpenSSL"], path: "tools/bench"),
        .executableTarget(name: "wal", dependencies: ["ReturnLedgerCore", "ReturnLedgerStorage", "ReturnLedgerServer"], path: "tools/wal",
                          swiftSettings: strict),
        /// Fuzz targets (issue 13) and their driver: libFuzzer's under tools/fuzz/run.sh, a replay otherwise.
        .target(name: "FuzzTargets", dependencies: ["ReturnLedgerCore", "ReturnLedgerWire", "ReturnLedgerStorage", "SimulatedDisk"],
                path: "tools/fuzz/FuzzTargets", swiftSettings: strict),
        .executableTarget(name: "fuzz", dependencies: ["FuzzTargets", "ReturnLedgerStorage"], path: "tools/fuzz/Driver"),
        /// A disk in memory that knows what a crash or a power cut keeps (the simulation's and the storage fuzz target's).
        .target(name: "SimulatedDisk", dependencies: ["ReturnLedgerStorage"], path: "tools/sim/Disk", swiftSettings: strict),
        /// The seeded durability simulation (issue 13): clients drive the server's engine over the simulated disk.
        .target(name: "Simulation",
                dependencies: ["ReturnLedgerCore", "ReturnLedgerWire", "ReturnLedgerStorage", "ReturnLedgerServer", "SimulatedDisk", "TestSupport"],
                path: "tools/sim/Simulation", swiftSettings: strict),
        .executableTarget(name: "sim", dependencies: ["Simulation", "ReturnLedgerStorage"], path: "tools/sim/Driver"),
        /// Seeded randomness for the tests: every random test prints its seed and takes `RL_SEED`.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        /// The system's tzdata for every test, installed as the test process starts (the core reads
        /// no files: its zone rules come from a loader, which the server and the tools install too).
        .target(name: "TestZonesStartup", path: "Tests/TestZonesStartup"),
        .target(name: "TestZones", dependencies: ["ReturnLedgerStorage", "TestZonesStartup"], path: "Tests/TestZones",
                swiftSettings: strict),
        .testTarget(name: "CoreTests", dependencies: ["ReturnLedgerCore", "TestSupport", "TestZones"], swiftSettings: strict),
        .testTarget(name: "WireTests", dependencies: ["ReturnLedgerCore", "ReturnLedgerWire", "TestSupport", "TestZones"], swiftSettings: strict),
        .testTarget(name: "StorageTests", dependencies: ["ReturnLedgerCore", "ReturnLedgerStorage", "TestSupport", "TestZones"], swiftSettings: strict),
        // Test targets name every module they import: one reached only through another target was
        // not rebuilt when it changed (stale objects read a changed layout as garbage, or failed to link).
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets", "Simulation", "SimulatedDisk", "TestZones", "ReturnLedgerCore",
                                                      "ReturnLedgerStorage"], swiftSettings: strict),
        /// A blocking line client over TCP, as a register would be: for the tests that speak the wire.
        .target(name: "TestClient", path: "Tests/TestClient", swiftSettings: strict),
        /// The server in this process (its engine, loops and storage, on an injected file system): no binaries.
        .testTarget(
            name: "ServerTests",
            dependencies: ["ReturnLedgerCore", "ReturnLedgerWire", "ReturnLedgerServer", "ReturnLedgerStorage", "TestClient", "TestZones"],
            swiftSettings: strict
        ),
        /// The real binaries, started as processes and spoken to over TCP.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["returnledger", "wal", "ReturnLedgerCore", "ReturnLedgerWire", "ReturnLedgerServer", "ReturnLedgerStorage",
                           "TestSupport", "TestClient"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
