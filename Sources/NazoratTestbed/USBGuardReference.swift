/// What `usbguard generate-policy -p` printed for a testbed: per port, the device's
/// `hash` and `parent-hash` (Tests/Fixtures/usbguard/*.rules, recorded by record.sh).
public struct USBGuardReference: Sendable, Equatable {
    /// One rule's identity fields.
    public struct Entry: Sendable, Equatable {
        /// `hash "..."`.
        public var hash: String
        /// `parent-hash "..."`.
        public var parentHash: String
    }

    /// The entries by `via-port`.
    public var byPort: [String: Entry]

    /// Parses generate-policy output (one rule per line, every rule with `via-port`).
    public init(rules: String) {
        var byPort: [String: Entry] = [:]
        for line in rules.split(separator: "\n") {
            guard let port = Self.value(of: "via-port", in: line), let hash = Self.value(of: "hash", in: line),
                  let parent = Self.value(of: "parent-hash", in: line) else { continue }
            byPort[port] = Entry(hash: hash, parentHash: parent)
        }
        self.byPort = byPort
    }

    /// The quoted value after ` name "`; hashes and ports never contain quotes.
    private static func value(of name: String, in line: Substring) -> String? {
        guard let start = line.firstRange(of: " \(name) \"")?.upperBound else { return nil }
        return String(line[start...].prefix { $0 != "\"" })
    }
}
