// swift-tools-version:6.1
// libFuzzer targets for what parses hostile bytes (`make fuzz`). A package of its own: the
// targets link only with `--sanitize fuzzer`, so `make test` must never build them.
import PackageDescription

let package = Package(
    name: "NazoratFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Nazorat", path: "..")],
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
    ],
    swiftLanguageModes: [.v6]
)
