// swift-tools-version:6.1
// The micro benchmarks (package-benchmark): `make bench` runs them with the scripts in
// this directory and writes BENCHMARKS.md. A package of its own, so that `make test` never
// builds the benchmark harness.
import PackageDescription

let package = Package(
    name: "NazoratBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Nazorat", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "NazoratBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NazoratCore", package: "Nazorat"),
                .product(name: "NazoratStore", package: "Nazorat"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/NazoratBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The load tools' HTTP client (blocking sockets, one thread per connection).
        .target(name: "LoadSupport", path: "Tools/LoadSupport"),
        // Closed-loop latency of the control API over its Unix socket.
        .executableTarget(name: "nazorat-api-load", dependencies: ["LoadSupport"], path: "Tools/nazorat-api-load"),
        // Simulated stations' signed heartbeats to nazorat-central at a set rate (make bench-central).
        .executableTarget(
            name: "nazorat-central-load",
            dependencies: [
                "LoadSupport",
                .product(name: "NazoratCore", package: "Nazorat"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tools/nazorat-central-load"
        ),
        // A station's state directory after a 24-hour uplink outage.
        .executableTarget(
            name: "nazorat-backlog",
            dependencies: [
                .product(name: "NazoratCore", package: "Nazorat"),
                .product(name: "NazoratStore", package: "Nazorat"),
            ],
            path: "Tools/nazorat-backlog"
        ),
    ],
    swiftLanguageModes: [.v6]
)
