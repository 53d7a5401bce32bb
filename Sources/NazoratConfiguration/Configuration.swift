import FoundationEssentials
import Logging
import NazoratCore
import NazoratLinux

/// The daemon's configuration: one TOML file (`/etc/nazorat/nazorat.toml`), documented
/// key by key in `systemd/nazorat.toml`.
///
/// Unknown keys and bad values are errors that name `file:line:column`. Relative paths
/// are resolved against the directory of the configuration file, so that a development
/// configuration can keep its state next to itself.
public struct Configuration: Sendable, Equatable {
    /// What the daemon does with a decision.
    public enum Mode: String, Sendable, CaseIterable {
        /// Decide, record and alarm; never write to sysfs.
        case monitor
        /// Also authorize, block and remove devices through sysfs.
        case enforce
    }

    /// The station id, as central knows it (1–64 of `A-Z a-z 0-9 . _ -`).
    public var station: String
    /// Monitor or enforce.
    public var mode: Mode
    /// Where the database and the station key live (`state-dir`).
    public var stateDirectory: String
    /// The control socket's path, used when systemd passes none (`socket`).
    public var socketPath: String
    /// The lowest level logged (`log-level`).
    public var logLevel: Logger.Level
    /// How many events wait in memory while the disk fails (`write-queue`).
    public var writeQueue: Int
    /// The `[policy]` table: the rule file and the implicit target.
    public var policy: PolicySettings
    /// The `[[interfaces]]` tables: which interfaces of allowed devices are cut
    /// (``InterfacePolicy/shipped`` without any).
    public var interfaces: InterfacePolicy = .shipped
    /// The `[uplink]` table: central's address and the outbox; nil without the table
    /// (then nazoratd makes no envelopes and nazorat-uplink refuses to start).
    public var uplink: UplinkSettings?

    /// The default location of the file.
    public static let defaultPath = "/etc/nazorat/nazorat.toml"

    /// The keys of the top-level table, in documentation order.
    static let keys = ["station", "mode", "state-dir", "socket", "log-level", "write-queue", "policy", "interfaces",
                       "uplink"]

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        let bytes: [UInt8]
        do {
            bytes = try SystemFile.read(path, limit: 1 << 20)
        } catch {
            throw ConfigurationError(file: path, line: 0, column: 0,
                                     message: "cannot read the configuration: \(ErrnoText.reason(error.errno.rawValue)); "
                                         + "give its path with --config (the default is \(defaultPath))")
        }
        return try parse(TOMLReader.text(utf8: bytes, file: path), file: path)
    }

    /// Parses and validates `text`; `file` names it in errors and anchors relative paths.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> Configuration {
        let reader = try KeyReader(table: TOMLReader.parse(text, file: file), file: file)
        try reader.rejectUnknownKeys(allowed: keys)

        let directory = file.contains("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
        let station = try reader.string("station", required: true, default: "")
        try reader.check("station", valid: StationID.isValid(station),
                         "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
        let modeText = try reader.string("mode", required: true, default: "")
        guard let mode = Mode(rawValue: modeText) else {
            throw reader.error(at: "mode", "must be \"monitor\" or \"enforce\", not \"\(Quoted.escape(modeText))\"")
        }
        let stateDirectory = try reader.path("state-dir", default: "/var/lib/nazorat", relativeTo: directory)
        let socketPath = try reader.path("socket", default: "/run/nazorat/control.sock", relativeTo: directory)
        try reader.check("socket", valid: socketPath.utf8.count < 108,
                         "is longer than a Unix socket path may be (107 bytes)")
        let levelText = try reader.string("log-level", required: false, default: "info")
        guard let logLevel = Logger.Level(rawValue: levelText) else {
            throw reader.error(at: "log-level", "must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let writeQueue = try reader.integer("write-queue", default: 10_000)
        try reader.check("write-queue", valid: (1...1_000_000).contains(writeQueue), "must be between 1 and 1000000")
        let policy = try PolicySettings.read(reader.table(at: "policy"), relativeTo: directory)
        let uplink = try reader.table(at: "uplink").map { table throws(ConfigurationError) in
            try UplinkSettings.read(table, relativeTo: directory)
        }
        var configuration = Configuration(station: station, mode: mode, stateDirectory: stateDirectory,
                                          socketPath: socketPath, logLevel: logLevel, writeQueue: writeQueue,
                                          policy: policy, uplink: uplink)
        configuration.interfaces = try InterfaceSettings.read(reader)
        return configuration
    }
}

/// The `[policy]` table.
public struct PolicySettings: Sendable, Equatable {
    /// The rule file (`rules`), in USBGuard's rule language. Default: /etc/nazorat/rules.conf
    public var rulesPath: String
    /// The target when no rule matches (`implicit`). Default: block
    public var implicit: Rule.Target

    /// The rule file at `rulesPath`, `implicit` when no rule matches.
    public init(rulesPath: String, implicit: Rule.Target) {
        self.rulesPath = rulesPath
        self.implicit = implicit
    }

    static let keys = ["rules", "implicit"]

    static func read(_ reader: KeyReader?, relativeTo directory: String) throws(ConfigurationError) -> PolicySettings {
        guard let reader else { return PolicySettings(rulesPath: "/etc/nazorat/rules.conf", implicit: .block) }
        try reader.rejectUnknownKeys(allowed: keys)
        let rules = try reader.path("rules", default: "/etc/nazorat/rules.conf", relativeTo: directory)
        let implicitText = try reader.string("implicit", required: false, default: "block")
        guard let implicit = Rule.Target(rawValue: implicitText) else {
            throw reader.error(at: "implicit", "must be \"allow\", \"block\" or \"reject\", not \"\(Quoted.escape(implicitText))\"")
        }
        return PolicySettings(rulesPath: rules, implicit: implicit)
    }
}

/// The `[uplink]` table.
public struct UplinkSettings: Sendable, Equatable {
    /// Central's address (`url`): https, or http to a loopback address only. Either the
    /// receiver's base (`https://central.example`) or its envelope endpoint
    /// (`https://central.example/v1/envelopes`); ``envelopesURL`` is where envelopes go.
    public var url: String

    /// The envelope endpoint: `url` itself when it ends in `/v1/envelopes`, else `url` + `/v1/envelopes`.
    public var envelopesURL: String {
        if url.hasSuffix("/v1/envelopes") { return url }
        return (url.hasSuffix("/") ? String(url.dropLast()) : url) + "/v1/envelopes"
    }
    /// ``envelopesURL`` taken apart; nil only for settings made by hand with a bad `url`
    /// (``read(_:relativeTo:)`` refuses one).
    public var central: CentralAddress? { CentralAddress(url: envelopesURL) }
    /// Seconds between heartbeats (`heartbeat-interval`). Default: 15
    public var heartbeatInterval: Int
    /// A CA bundle (PEM) that central's certificate must chain to (`ca`); the system's otherwise.
    public var caPath: String?
    /// A client certificate and key (PEM) for mutual TLS (`client-cert`, `client-key`).
    public var clientCertificatePath: String?
    public var clientKeyPath: String?
    /// The outbox's bound in bytes (`outbox-bytes`). Default: 67108864 (64 MiB)
    public var outboxBytes: Int

    static let keys = ["url", "heartbeat-interval", "ca", "client-cert", "client-key", "outbox-bytes"]

    static func read(_ reader: KeyReader, relativeTo directory: String) throws(ConfigurationError) -> UplinkSettings {
        try reader.rejectUnknownKeys(allowed: keys)
        let url = try reader.string("url", required: true, default: "")
        try reader.check("url", valid: Self.isAcceptable(url),
                         "must be https://HOST[:PORT][/PATH], or http:// to 127.0.0.1, [::1] or localhost only")
        let interval = try reader.seconds("heartbeat-interval", default: 15)
        try reader.check("heartbeat-interval", valid: (1...3600).contains(interval), "must be between 1s and 1h")
        let ca = try reader.optionalPath("ca", relativeTo: directory)
        let certificate = try reader.optionalPath("client-cert", relativeTo: directory)
        let key = try reader.optionalPath("client-key", relativeTo: directory)
        try reader.check(certificate == nil ? "client-key" : "client-cert", valid: (certificate == nil) == (key == nil),
                         "client-cert and client-key go together")
        let bytes = try reader.integer("outbox-bytes", default: 64 << 20)
        try reader.check("outbox-bytes", valid: (1 << 20...1 << 34).contains(bytes), "must be between 1 MiB and 16 GiB")
        return UplinkSettings(url: url, heartbeatInterval: interval, caPath: ca, clientCertificatePath: certificate,
                              clientKeyPath: key, outboxBytes: bytes)
    }

    /// https anywhere; plain http only to this machine (tests, a local relay).
    static func isAcceptable(_ url: String) -> Bool {
        guard let address = CentralAddress(url: url) else { return false }
        return address.usesTLS || ["127.0.0.1", "::1", "localhost"].contains(address.host)
    }
}

/// A configuration error: `file:line:column: message`, as compilers print them.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file.
    public var file: String
    /// 1-based line, or 0 when the error concerns the whole file.
    public var line: Int
    /// 1-based column, or 0 when the error concerns the whole file.
    public var column: Int
    /// What is wrong.
    public var message: String

    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}

/// Station ids travel in envelopes, file names and journal fields: keep them plain.
enum StationID {
    static func isValid(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }
}

/// Renders a configuration value inside an error message without letting it reach the terminal raw.
enum Quoted {
    static func escape(_ text: String) -> String {
        DeviceString(text).escaped(limit: 80)
    }
}
