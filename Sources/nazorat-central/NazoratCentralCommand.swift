import ArgumentParser
import Foundation
import Logging
import NazoratAPI
import NazoratCentral
import NazoratHTTP
import ServiceLifecycle

/// `nazorat-central`: the reference receiver of the stations' envelopes.
@main
struct NazoratCentralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nazorat-central",
        abstract: "Receive, verify and store polling stations' signed envelopes (reference implementation).",
        discussion: "The protocol is docs/central-protocol.md.",
        subcommands: [Serve.self, Enroll.self, Import.self], defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Listen for envelopes (the default).")

    @Option(help: "HOST:PORT to listen on; plain HTTP only on 127.0.0.1, [::1] or localhost.")
    var listen = "127.0.0.1:8443"
    @Option(help: "Where central.db lives.")
    var stateDir: String
    @Option(help: "TLS certificate chain (PEM).")
    var tlsCert: String?
    @Option(help: "TLS private key (PEM).")
    var tlsKey: String?
    @Option(help: "Require client certificates issued by this CA (PEM): mutual TLS.")
    var tlsClientCa: String?
    @Option(help: "Seconds without a heartbeat after which a station is overdue (interval plus grace).")
    var overdueAfter = 45
    @Option(help: "The lowest level logged: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard Address(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443") }
    }

    func run() async throws {
        let address = Address(listen)!
        var logger = Logger(label: "nazorat-central")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let server = try await Central.server(
            host: address.host, port: address.port, stateDirectory: stateDir, certificate: tlsCert, key: tlsKey,
            clientCA: tlsClientCa, overdueAfter: .seconds(overdueAfter), logger: logger)
        // Unbuffered: whoever started it (a test, a supervisor) learns the port at once.
        FileHandle.standardOutput.write(Data(("nazorat-central listening on \(address.host):\(server.localPort ?? address.port)"
            + (tlsCert == nil ? " (plain HTTP, loopback)" : " (TLS)") + "\n").utf8))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

struct Enroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Enroll a station's public key (nazoratd key prints it).")

    @Option(help: "Where central.db lives.")
    var stateDir: String
    @Argument(help: "The station id.")
    var station: String
    @Argument(help: "Its Ed25519 public key, base64.")
    var publicKey: String

    func run() throws {
        try Central.enroll(stateDirectory: stateDir, station: station, publicKey: publicKey)
        print("enrolled \(station)")
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply an offline bundle (nazoratctl export-bundle wrote it) as if its envelopes had arrived online.",
        discussion: "A bundle whose manifest or files do not check out is refused whole, with the reason; importing "
            + "it twice, or importing what the uplink delivers later, duplicates nothing. Exit 1 on a refusal.")

    @Option(help: "Where central.db lives.")
    var stateDir: String
    @Argument(help: "The bundle directory.")
    var bundle: String

    func run() async throws {
        print(try await Central.importBundle(stateDirectory: stateDir, directory: bundle))
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
