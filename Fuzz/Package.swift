// swift-tools-version:6.1
// libFuzzer targets for what parses hostile bytes (`make fuzz`). A package of its own: the
// targets link only with `--sanitize fuzzer`, so `make test` must never build them.
import PackageDescription

let package = Package(
    name: "NazoratFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Nazorat", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // USBGuard's rule language: the lexer and the parser (a rule file, line by line).
        .executableTarget(
            name: "fuzz-rule-parser",
            dependencies: [.product(name: "NazoratCore", package: "Nazorat")],
            path: "Targets/fuzz-rule-parser"
        ),
        // Device strings from USB descriptors: escaped output has no control byte, is valid
        // UTF-8 and is bounded.
        .executableTarget(
            name: "fuzz-device-string",
            dependencies: [.product(name: "NazoratCore", package: "Nazorat")],
            path: "Targets/fuzz-device-string"
        ),
        // A USB device's descriptors and strings: parsed or refused with an offset inside the
        // bytes; the rule generate-policy writes for it parses back and allows it.
        .executableTarget(
            name: "fuzz-descriptors",
            dependencies: [.product(name: "NazoratCore", package: "Nazorat")],
            path: "Targets/fuzz-descriptors"
        ),
        // The control socket's bytes through the server's HTTP pipeline and request assembly,
        // and the JSON request documents.
        .executableTarget(
            name: "fuzz-control-request",
            dependencies: [
                .product(name: "NazoratHTTP", package: "Nazorat"),
                .product(name: "NazoratAPI", package: "Nazorat"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Targets/fuzz-control-request"
        ),
        // The TOML configuration, interface policy included: loaded or refused with file:line.
        .executableTarget(
            name: "fuzz-configuration",
            dependencies: [.product(name: "NazoratConfiguration", package: "Nazorat")],
            path: "Targets/fuzz-configuration"
        ),
        // Central's envelope batches: decoded, verified and judged against a fresh database.
        .executableTarget(
            name: "fuzz-central-batch",
            dependencies: [
                .product(name: "NazoratCentral", package: "Nazorat"),
                .product(name: "NazoratHTTP", package: "Nazorat"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Targets/fuzz-central-batch"
        ),
    ],
    swiftLanguageModes: [.v6]
)
