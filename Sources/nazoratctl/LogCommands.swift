import ArgumentParser
import FoundationEssentials
import NazoratAPI
import NazoratClient
import NazoratCore

// events, verify-log, export-log and key: the tamper-evident log.

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the event log, or follow it.")
    @OptionGroup var options: ClientOptions
    @Flag(name: .shortAndLong, help: "Keep printing new events as they happen (Ctrl-C stops).")
    var follow = false
    @Option(help: "Start after this seq.")
    var after: Int64 = 0
    @Option(help: "At most this many events (1 to 1000; without --follow).")
    var limit = 100

    func run() async throws {
        let session = options.session
        if follow { try finish(await session.follow(after: after)) }
        try finish(await session.run(.GET, "/v1/events?after=\(after)&limit=\(limit)", as: EventList.self,
                                     render: { $0.events.map { Views.event($0, on: session.terminal) }.joined(separator: "\n") }))
    }
}

struct VerifyLog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-log",
        abstract: "Have nazoratd verify its event log's hash chain and signed checkpoints (exit 1 if broken).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try finish(await options.session.run(.GET, "/v1/log/verify", as: VerificationDocument.self,
                                             render: { Terminal.safe($0.message) }, status: { $0.ok ? 0 : 1 }))
    }
}

struct ExportLog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-log",
        abstract: "Write the event log as an election event log (NIST SP 1500-101, JSON) on stdout.",
        discussion: "Streamed from nazoratd as it reads the log; docs/cdf-export.md maps each field. "
            + "Exit 1 if nazoratd refused or the export was cut short.")
    @OptionGroup var options: ClientOptions
    @Option(help: "The format: cdf.")
    var format = "cdf"
    @Option(help: "Only the events after this seq (the last Sequence of a previous export).")
    var after: Int64 = 0

    func run() async throws {
        let target = "/v1/log/export?format=\(PathSegment.encode(format))&after=\(after)"
        try finish(await options.session.download(target, what: "export") {
            $0.suffix(CDFEventLog.closing.count).elementsEqual(CDFEventLog.closing)
        })
    }
}

struct Key: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the station's public key (base64), as enrolled at central.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try finish(await options.session.run(.GET, "/v1/key", as: KeyDocument.self, render: \.publicKey))
    }
}
