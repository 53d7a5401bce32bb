// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Nazorat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nazoratd", targets: ["nazoratd"]),
        .executable(name: "nazoratctl", targets: ["nazoratctl"]),
        .executable(name: "nazorat-central", targets: ["nazorat-central"]),
        .executable(name: "nazorat-uplink", targets: ["nazorat-uplink"]),
        .executable(name: "nazorat-station-sim", targets: ["nazorat-station-sim"]),
        // For the benchmark package (Benchmarks/), which measures them from outside, and the
        // fuzz package (Fuzz/), which feeds them hostile bytes.
        .library(name: "NazoratCore", targets: ["NazoratCore"]),
        .library(name: "NazoratStore", targets: ["NazoratStore"]),
        .library(name: "NazoratHTTP", targets: ["NazoratHTTP"]),
        .library(name: "NazoratAPI", targets: ["NazoratAPI"]),
        .library(name: "NazoratConfiguration", targets: ["NazoratConfiguration"]),
        .library(name: "NazoratCentral", targets: ["NazoratCentral"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Only its bcrypt (HummingbirdBcrypt, a C library and a Swift wrapper), not its server.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    ],
    targets: [
        // System libraries (Debian packages; `make test` installs them).
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CUMockdev", pkgConfig: "umockdev-1.0", providers: [.apt(["libumockdev-dev"])]),

        // The domain: no OS calls.
        .target(
            name: "NazoratCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // Edges to the OS: libudev, sysfs, systemd, and files (through swift-system).
        .target(
            name: "NazoratLinux",
            dependencies: [
                "NazoratCore", "CUdev", "CSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The station key and what it signs: checkpoints and envelopes.
        .target(
            name: "NazoratSigning",
            dependencies: ["NazoratCore", "NazoratLinux", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Durable state: SQLite through GRDB, the event log, the outbox.
        .target(
            name: "NazoratStore",
            dependencies: [
                "NazoratCore", "NazoratLinux", "NazoratSigning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The HTTP/1.1 server of the control socket and of central (SwiftNIO): request
        // assembly, deadlines, peer credentials, the socket file.
        // SO_PEERCRED's struct ucred, which glibc hides from Swift (no _GNU_SOURCE).
        .target(name: "CPeerCredentials"),
        .target(
            name: "NazoratHTTP",
            dependencies: [
                "NazoratCore", "CPeerCredentials",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The control API's documents (docs/openapi.yaml): what the daemon sends, the clients read.
        .target(name: "NazoratAPI", dependencies: ["NazoratCore"]),
        // The clients of the control socket: the connection, and nazoratctl's terminal views.
        .target(
            name: "NazoratClient",
            dependencies: [
                "NazoratAPI", "NazoratCore", "NazoratLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The configuration file, shared by nazoratd and nazorat-uplink.
        .target(
            name: "NazoratConfiguration",
            dependencies: [
                "NazoratCore", "NazoratLinux",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Wiring: configuration, services.
        .target(
            name: "NazoratDaemon",
            dependencies: [
                "NazoratCore", "NazoratLinux", "NazoratSigning", "NazoratStore", "NazoratHTTP", "NazoratAPI",
                "NazoratConfiguration",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "nazoratd",
            dependencies: [
                "NazoratCore", "NazoratDaemon", "NazoratLinux", "NazoratConfiguration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "nazoratctl",
            dependencies: [
                "NazoratClient", "NazoratAPI", "NazoratLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The reference central receiver (network, TLS; never on a station).
        .target(
            name: "NazoratCentral",
            dependencies: [
                "NazoratCore", "NazoratHTTP", "NazoratAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Central's TLS (NIOSSL): apart, so that NazoratCentral and the fuzzers build without it.
        .target(
            name: "NazoratCentralTLS",
            dependencies: [
                "NazoratCentral",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Central's national store (PostgreSQL): a target of its own, so that only the
        // executable and its tests build postgres-nio.
        .target(
            name: "NazoratCentralPostgres",
            dependencies: [
                "NazoratCentral", "NazoratCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "nazorat-central",
            dependencies: [
                "NazoratCentral", "NazoratCentralPostgres", "NazoratCentralTLS", "NazoratHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The uplink: outbox over the control socket, HTTPS to central; no key, no devices.
        .target(
            name: "NazoratUplink",
            dependencies: [
                "NazoratCore", "NazoratClient", "NazoratAPI", "NazoratConfiguration", "NazoratLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "nazorat-uplink",
            dependencies: [
                "NazoratUplink", "NazoratConfiguration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Development and test support: a simulated polling station on umockdev.
        .target(
            name: "NazoratTestbed",
            dependencies: ["CUMockdev", "NazoratLinux", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .executableTarget(
            name: "nazorat-station-sim",
            dependencies: [
                "NazoratTestbed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "NazoratCoreTests", dependencies: ["NazoratCore", "NazoratTestbed"]),
        .testTarget(name: "NazoratLinuxTests", dependencies: ["NazoratLinux", "NazoratTestbed"]),
        .testTarget(
            name: "NazoratStoreTests",
            dependencies: ["NazoratStore", "NazoratSigning", "NazoratTestbed", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "NazoratConfigurationTests", dependencies: ["NazoratConfiguration", "NazoratTestbed"]),
        .testTarget(
            name: "NazoratHTTPTests",
            dependencies: ["NazoratHTTP", "NazoratClient", .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOEmbedded", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")]
        ),
        .testTarget(
            name: "NazoratDaemonTests",
            dependencies: ["NazoratDaemon", "NazoratConfiguration", "NazoratCore", "NazoratLinux", "NazoratStore",
                           "NazoratTestbed"]
        ),
        .testTarget(
            name: "NazoratCentralTests",
            dependencies: ["NazoratCentral", "NazoratCentralPostgres", "NazoratCore", "NazoratTestbed",
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "NazoratCore", "NazoratStore", "NazoratTestbed", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
