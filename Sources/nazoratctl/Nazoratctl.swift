import ArgumentParser
import FoundationEssentials
import Glibc
import NazoratControl

/// `nazoratctl`: the technician's client of nazoratd's control socket.
@main
struct Nazoratctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nazoratctl",
        abstract: "Ask nazoratd, the polling station's equipment supervisor, what it sees, and tell it what to do.",
        discussion: """
            nazoratctl talks to nazoratd over its control socket (--socket, default
            /run/nazorat/control.sock). Reading needs group nazorat; seal, allow and
            block need group nazorat-admin. Every command takes --json, which prints
            the control API's JSON exactly as nazoratd sent it (docs/openapi.yaml).

            Daily use:
              nazoratctl status      all in order? exit 0 yes, 1 alarms open,
                                     2 critical alarm or no daemon
              nazoratctl alarms      what is wrong, with alarm ids
              nazoratctl ack 7 --note "scanner 2 reconnected by J. Doe"
              nazoratctl events -f   watch events as they happen
            Commissioning (nazorat-admin):
              nazoratctl devices     what is plugged in, what the policy says
              nazoratctl seal        record the present devices as the
                                     station's equipment
              nazoratctl block 1-3 --permanent
            Election day (nazorat-admin):
              nazoratctl polls open  public counters restart from 0
              nazoratctl counters    ballots per scanner
              nazoratctl polls close counters become final
              nazoratctl results     the final report

            """,
        subcommands: [Status.self, Devices.self, Alarms.self, Ack.self, Events.self, Seal.self, Allow.self, Block.self,
                      PolicyCommand.self, Counters.self, Polls.self, Results.self, VerifyLog.self, Key.self])
}

/// Options every command takes.
struct ClientOptions: ParsableArguments {
    @Option(help: "The control socket of nazoratd.")
    var socket = "/run/nazorat/control.sock"

    @Flag(help: "Print the control API's JSON exactly as received.")
    var json = false

    @Option(help: "Seconds nazoratd has to start answering before nazoratctl gives up (exit 2).")
    var timeout: UInt = 5

    var session: ClientSession {
        ClientSession(socketPath: socket, json: json, environment: ProcessInfo.processInfo.environment,
                      answerTimeoutSeconds: Int64(timeout))
    }
}

/// Ends the command with exit status `status` (the output was written unbuffered).
func finish(_ status: Int32) throws -> Never {
    throw ExitCode(status)
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the station at a glance.",
        discussion: "Exit status: 0 healthy, 1 alarms are open, 2 a critical alarm is open, storage fails, or nazoratd cannot be reached.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let session = options.session
        try finish(await session.run(.GET, "/v1/status", as: StatusDocument.self,
                                     render: { Views.status($0, on: session.terminal) }, status: Views.exitStatus))
    }
}

struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the USB devices present, or show one.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "A port (e.g. 1-1.2) to show in full.")
    var port: String?

    func run() async throws {
        let session = options.session
        if let port {
            try finish(await session.run(.GET, "/v1/devices/\(PathSegment.encode(port))", as: DeviceDocument.self,
                                         render: { Views.device($0, on: session.terminal) }))
        }
        try finish(await session.run(.GET, "/v1/devices", as: DeviceList.self,
                                     render: { Views.devices($0, on: session.terminal) }))
    }
}

struct Alarms: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the open alarms.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let session = options.session
        try finish(await session.run(.GET, "/v1/alarms", as: AlarmList.self,
                                     render: { Views.alarms($0, on: session.terminal) }))
    }
}

struct Ack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Acknowledge an alarm: you saw it and say what you did. It stays open until its cause ends.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The alarm id (nazoratctl alarms).")
    var id: Int64
    @Option(help: "What you saw or did (1 to 500 characters); it goes into the log with your user.")
    var note: String

    func run() async throws {
        let session = options.session
        let body = try JSONEncoder().encode(AcknowledgeRequest(note: note))
        try finish(await session.run(.POST, "/v1/alarms/\(id)/ack", body: Array(body), as: AlarmDocument.self,
                                     render: { "alarm \($0.id) (\($0.kind) at \(Terminal.safe($0.port))) acknowledged" }))
    }
}

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

struct Seal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seal the devices present now as the station's commissioned equipment (nazorat-admin).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try finish(await options.session.run(.POST, "/v1/seal", as: SealDocument.self, render: { seal in
            "sealed \(seal.sealed.count) devices" + (seal.seq.map { " at seq \($0) (signed checkpoint)" } ?? "") + ":\n"
                + seal.sealed.map { "  \(Terminal.safe($0.port))  \($0.id)  \($0.role)" }.joined(separator: "\n")
        }))
    }
}

/// `allow` and `block`.
struct DecisionOptions: ParsableArguments {
    @Argument(help: "The device's port (nazoratctl devices).")
    var port: String
    @Flag(help: "Also add a rule for this device to the policy file, so that the decision survives a restart.")
    var permanent = false

    func run(_ verb: String, _ options: ClientOptions) async throws -> Never {
        let body = try JSONEncoder().encode(DecisionRequest(permanent: permanent))
        try finish(await options.session.run(.POST, "/v1/devices/\(PathSegment.encode(port))/\(verb)", body: Array(body),
                                             as: DecisionDocument.self) { decision in
            "\(Terminal.safe(decision.port)): \(decision.target) "
                + (decision.applied ? "applied" : "recorded only (monitor mode)")
                + (decision.rule.map { "\nrule added to the policy: \(Terminal.safe($0))" } ?? "")
        })
    }
}

struct Allow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Authorize a device now (nazorat-admin).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var decision: DecisionOptions

    func run() async throws { try await decision.run("allow", options) }
}

struct Block: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deauthorize a device now (nazorat-admin).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var decision: DecisionOptions

    func run() async throws { try await decision.run("block", options) }
}

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show the policy in force, or (generate) rules for the devices present now.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "generate: print a rule file allowing the devices present now.")
    var action: Action?

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case generate
    }

    func run() async throws {
        if action == .generate {
            try finish(await options.session.run(.GET, "/v1/policy/generate", as: TextDocument.self,
                                                 render: { Terminal.safe($0.text, keepingLines: true) }))
        }
        try finish(await options.session.run(.GET, "/v1/policy", as: PolicyDocument.self) { policy in
            "# \(policy.path): \(policy.rules) rules, implicit \(policy.implicit), \(policy.mode) mode\n"
                + Terminal.safe(policy.text, keepingLines: true)
        })
    }
}

struct Counters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each ballot scanner's counters (ballot counts only while the polls are open).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let session = options.session
        try finish(await session.run(.GET, "/v1/counters", as: CountersDocument.self,
                                     render: { Views.counters($0, on: session.terminal) }))
    }
}

struct Polls: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the polls phase, or open or close the polls (nazorat-admin).",
        discussion: "The phases only go forward: setup -> open -> closed. Opening restarts the public counters "
            + "from 0; closing makes the counters final.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "open or close.")
    var action: Action?

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case open, close
    }

    func run() async throws {
        let render: (PollsDocument) -> String = { "polls \($0.phase)" }
        if let action {
            try finish(await options.session.run(.POST, "/v1/polls/\(action.rawValue)", as: PollsDocument.self, render: render))
        }
        try finish(await options.session.run(.GET, "/v1/polls", as: PollsDocument.self, render: render))
    }
}

struct Results: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the final report: each scanner's counters and the per-contest totals (after close).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let session = options.session
        try finish(await session.run(.GET, "/v1/results", as: FinalReportDocument.self,
                                     render: { Views.results($0, on: session.terminal) }))
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

struct Key: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the station's public key (base64), as enrolled at central.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try finish(await options.session.run(.GET, "/v1/key", as: KeyDocument.self, render: \.publicKey))
    }
}
