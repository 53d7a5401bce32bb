import ArgumentParser
import FoundationEssentials
import NazoratAPI
import NazoratClient

/// `nazoratctl`: the technician's client of nazoratd's control socket.
@main
struct Nazoratctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nazoratctl",
        abstract: "Ask nazoratd, the polling station's equipment supervisor, what it sees, and tell it what to do.",
        discussion: """
            nazoratctl talks to nazoratd over its control socket (--socket, else
            $NAZORAT_SOCKET, else /run/nazorat/control.sock). Reading needs group
            nazorat; seal, allow and block need group nazorat-admin. Every command
            takes --json, which prints the control API's JSON exactly as nazoratd sent
            it (docs/openapi.yaml). --socket, --json and --timeout may come before or
            after the command.

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
              nazoratctl report zero ready to open? (a preview until then)
              nazoratctl polls open  refused unless ready; counters from 0
              nazoratctl report zero print it for the commission to sign
              nazoratctl counters    ballots per scanner
              nazoratctl polls close counters become final
              nazoratctl report closing; nazoratctl results
            For auditors:
              nazoratctl export-log > log.json   the event log, NIST SP 1500-101
            Without a network (nazorat-admin):
              nazoratctl export-bundle /media/export/bundle   for nazorat-central import

            """,
        subcommands: [Status.self, Devices.self, Alarms.self, Ack.self, Events.self, Seal.self, Allow.self, Block.self,
                      PolicyCommand.self, Counters.self, Polls.self, Report.self, Results.self, VerifyLog.self, ExportLog.self, ExportBundle.self, Key.self])

    /// Parses the command line with the common options moved after the command, where the
    /// commands declare them: `nazoratctl --socket S status` means `nazoratctl status --socket S`.
    static func main() async {
        await main(ClientOptions.commandFirst(Array(CommandLine.arguments.dropFirst())))
    }
}

/// Options every command takes.
struct ClientOptions: ParsableArguments {
    @Option(help: "The control socket of nazoratd (default: $NAZORAT_SOCKET, else /run/nazorat/control.sock).")
    var socket: String?

    @Flag(help: "Print the control API's JSON exactly as received.")
    var json = false

    @Option(help: "Seconds nazoratd has to start answering before nazoratctl gives up (exit 2).")
    var timeout: UInt = 5

    var session: ClientSession {
        let environment = ProcessInfo.processInfo.environment
        let path = socket ?? environment["NAZORAT_SOCKET"].flatMap { $0.isEmpty ? nil : $0 } ?? "/run/nazorat/control.sock"
        return ClientSession(socketPath: path, json: json, environment: environment, answerTimeoutSeconds: Int64(timeout))
    }

    /// GETs `path` and prints it with `view` (or the JSON with --json); the exit status is
    /// `status` of the answer, 0 by default.
    func show<Document: Decodable>(_ path: String, as type: Document.Type,
                                   view: @escaping (Document, Terminal) -> String,
                                   status: @escaping (Document) -> Int32 = { _ in 0 }) async throws -> Never {
        let session = session
        try finish(await session.run(.GET, path, as: type, render: { view($0, session.terminal) }, status: status))
    }

    /// `arguments` with the common options that precede the command moved to its end.
    static func commandFirst(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--json" || argument.hasPrefix("--socket=") || argument.hasPrefix("--timeout=") {
                leading.append(argument)
            } else if argument == "--socket" || argument == "--timeout", index + 1 < arguments.endIndex {
                leading += [argument, arguments[index + 1]]
                index += 1
            } else {
                break
            }
            index += 1
        }
        // Without a command the options stay where they were, for the parser to explain.
        guard index < arguments.endIndex else { return arguments }
        var rest = Array(arguments[index...])
        rest.insert(contentsOf: leading, at: rest.firstIndex(of: "--") ?? rest.endIndex)
        return rest
    }
}

/// Ends the command with exit status `status` (the output was written unbuffered).
func finish(_ status: Int32) throws -> Never {
    throw ExitCode(status)
}
