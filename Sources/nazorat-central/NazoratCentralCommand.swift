import ArgumentParser
import Foundation
import Logging
import NazoratAPI
import NazoratCentral
import NazoratCentralPostgres
import NazoratCentralTLS
import NazoratHTTP
import ServiceLifecycle

/// `nazorat-central`: the reference receiver of the stations' envelopes.
@main
struct NazoratCentralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nazorat-central",
        abstract: "Receive, verify and store polling stations' signed envelopes (reference implementation).",
        discussion: "The protocol is docs/central-protocol.md.",
        subcommands: [Serve.self, Enroll.self, Retire.self, Import.self, Account.self], defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Listen for envelopes (the default).")

    @Option(help: "HOST:PORT to listen on; plain HTTP only on 127.0.0.1, [::1] or localhost.")
    var listen = "127.0.0.1:8443"
    @OptionGroup var store: StoreOptions
    @Option(help: "TLS certificate chain (PEM).")
    var tlsCert: String?
    @Option(help: "TLS private key (PEM).")
    var tlsKey: String?
    @Option(help: "Require client certificates issued by this CA (PEM): mutual TLS.")
    var tlsClientCa: String?
    @Option(help: "The stations' heartbeat interval, seconds: a station not heard from for longer (and 5 s of delivery) is late.")
    var heartbeatInterval = 15
    @Option(help: "Seconds past the interval after which a late station is down (setup, after close).")
    var grace = 30
    @Option(help: "The same while its polls are open: shorter, a silent station matters more then.")
    var graceOpen = 15
    @Option(help: "Seconds between the dashboard's live updates.")
    var dashboardRefresh = 2
    @Option(help: "The lowest level logged: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        try store.validate()
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard heartbeatInterval > 0, grace >= 0, graceOpen >= 0 else {
            throw ValidationError("--heartbeat-interval must be positive, --grace and --grace-open 0 or more")
        }
        guard Address(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443") }
    }

    func run() async throws {
        let address = Address(listen)!
        var logger = Logger(label: "nazorat-central")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let database = try await reportingErrors("serve") { try await store.open(logger: logger) }
        let secure = try await reportingErrors("serve") {
            try tlsCert.map { try CentralTLS.server(certificate: $0, key: tlsKey!, clientCA: tlsClientCa) }
        }
        let server = try await Central.server(
            host: address.host, port: address.port, database: database, secure: secure,
            liveness: Liveness(intervalSeconds: heartbeatInterval, graceSeconds: grace, graceOpenSeconds: graceOpen),
            dashboardTick: .seconds(max(1, dashboardRefresh)), logger: logger)
        // Unbuffered: whoever started it (a test, a supervisor) learns the port at once.
        FileHandle.standardOutput.write(Data(("nazorat-central listening on \(address.host):\(server.localPort ?? address.port)"
            + (tlsCert == nil ? " (plain HTTP, loopback)" : " (TLS)") + "\n").utf8))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await database.close()
    }
}

struct Enroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Enroll the national list of stations (--csv), or one station's public key.",
        discussion: "The CSV file's header names the columns station, region, district, name and public_key "
            + "(nazoratd key prints a station's key). It is checked whole first: every bad line is named with "
            + "its number, and one bad line enrolls nothing. A station listed again takes its new region, "
            + "district and name; with a new key it starts a new installation (its sequences start again, "
            + "the old key is kept in its history); a retired station listed again is enrolled again.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The national list of stations (CSV).")
    var csv: String?
    @Argument(help: "The station id (without --csv).")
    var station: String?
    @Argument(help: "Its Ed25519 public key, base64 (without --csv).")
    var publicKey: String?

    func validate() throws {
        try store.validate()
        guard (csv == nil) == (station != nil && publicKey != nil), csv == nil || station == nil else {
            throw ValidationError("give either --csv FILE, or a station id and its public key")
        }
    }

    func run() async throws {
        try await reportingErrors("enroll") {
            try await store.withDatabase { database in
            if let csv {
                let terminal = isatty(STDERR_FILENO) == 1
                // The progress line goes, whatever the outcome, before the result or the refusal is printed.
                defer { if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
                let summary = try await Central.enroll(database, csv: csv) { done, total in
                    if terminal { FileHandle.standardError.write(Data("\r\u{1B}[Kenrolling: \(done) of \(total)".utf8)) }
                }
                print("enrolled \(csv): \(summary)")
            } else if let station, let publicKey {
                let summary = try await Central.enroll(database, station: station, publicKey: publicKey)
                print(summary.rekeyed > 0 ? "enrolled \(station) with a new key (a new installation)" : "enrolled \(station)")
            }
            }
        }
    }
}

struct Retire: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Retire a station: central refuses its envelopes from now on and keeps what it sent.",
        discussion: "Enrolling it again (one station, or the list) brings it back.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The station id.")
    var station: String

    func validate() throws { try store.validate() }

    func run() async throws {
        try await reportingErrors("retire") {
            try await store.withDatabase { try await Central.retire($0, station: station) }
            print("retired \(station)")
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply an offline bundle (nazoratctl export-bundle wrote it) as if its envelopes had arrived online.",
        discussion: "A bundle whose manifest or files do not check out is refused whole, with the reason; importing "
            + "it twice, or importing what the uplink delivers later, duplicates nothing. Exit 1 on a refusal.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The bundle directory.")
    var bundle: String

    func validate() throws { try store.validate() }

    func run() async throws {
        try await reportingErrors("import") {
            print(try await store.withDatabase(existing: true) { try await Central.importBundle($0, directory: bundle) })
        }
    }
}

struct Account: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or replace a dashboard account (the password is read from standard input), or disable one.",
        discussion: "Viewers read the dashboard; operators also enrol and retire stations. The password (at least 12 "
            + "characters, the first line of standard input) is kept as a bcrypt hash; a new one ends the account's "
            + "sessions, and so does --disable.")

    @OptionGroup var store: StoreOptions
    @Option(help: "viewer or operator.")
    var role: String = "viewer"
    @Flag(help: "Disable the account instead.")
    var disable = false
    @Argument(help: "The account's name.")
    var name: String

    func validate() throws {
        try store.validate()
        guard DashboardRole(rawValue: role) != nil else { throw ValidationError("--role is viewer or operator") }
    }

    func run() async throws {
        try await reportingErrors("account") {
            if disable {
                try await store.withDatabase { try await Central.disableAccount($0, name: name) }
                print("disabled \(name)")
                return
            }
            let password = readLine(strippingNewline: true) ?? ""
            try await store.withDatabase { try await Central.setAccount($0, name: name, role: DashboardRole(rawValue: role)!,
                                                                         password: password) }
            print("\(name) can sign in to the dashboard as \(role)")
        }
    }
}

/// Runs `body`; central's own refusal (a bad list, an unknown station) and a store that
/// cannot be reached are printed as the sentences they are, with exit status 1.
func reportingErrors<Result>(_ command: String, _ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch {
        guard let message = (error as? CentralError)?.message ?? (error as? PostgresUnavailable)?.message else { throw error }
        FileHandle.standardError.write(Data("nazorat-central \(command): \(message)\n".utf8))
        throw ExitCode(1)
    }
}

/// HOST:PORT, with [v6]:PORT.
struct Address {
    let host: String
    let port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}
