import ArgumentParser
import FoundationEssentials
import NazoratAPI
import NazoratClient
import NazoratCore

// counters, polls and results: election day.

struct Counters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each ballot scanner's counters (ballot counts only while the polls are open).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.show("/v1/counters", as: CountersDocument.self, view: Views.counters)
    }
}

struct Polls: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the polls phase, or open or close the polls (nazorat-admin).",
        discussion: "The phases only go forward: setup -> open -> closed. Opening checks that the station is "
            + "ready (every sealed ballot scanner connected with its public counter at 0, the log intact), "
            + "records the zero report and restarts the public counters from 0; closing makes the counters "
            + "final and records the closing report. nazoratctl report zero shows what opening would find.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "open or close.")
    var action: Action?
    @Flag(help: "Open although the readiness check finds problems (recorded, with --reason, on the zero report).")
    var force = false
    @Option(help: "Why the polls open by force, for the minutes.")
    var reason: String?

    func validate() throws {
        if force, action != .open { throw ValidationError("--force goes with open") }
        if force, !PollsOpenRequest.isStated(reason ?? "") { throw ValidationError("--force needs --reason TEXT for the minutes") }
        if !force, reason != nil { throw ValidationError("--reason goes with --force") }
    }

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case open, close
    }

    func run() async throws {
        let render: (PollsDocument) -> String = { "polls \($0.phase)" }
        if let action {
            let body = force ? Array(JSONText.encode(PollsOpenRequest(force: .init(reason: reason ?? ""))).utf8) : nil
            try finish(await options.session.run(.POST, "/v1/polls/\(action.rawValue)", body: body, as: PollsDocument.self,
                                                 render: render))
        }
        try finish(await options.session.run(.GET, "/v1/polls", as: PollsDocument.self, render: render))
    }
}

struct Results: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the final report: each scanner's counters and the per-contest totals (after close).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.show("/v1/results", as: FinalReportDocument.self, view: Views.results)
    }
}

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the zero report or the closing report for the receipt printer (42 columns).",
        discussion: "Before the polls open, report zero shows what opening now would attest (marked PREVIEW) "
            + "and every problem that would refuse it. Once they opened, it is the report recorded then. "
            + "--json gives the document as central receives it.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Which report.")
    var occasion: PollsReport.Occasion

    func run() async throws {
        try await options.show("/v1/reports/\(occasion.rawValue)", as: PollsReport.self) { report, _ in
            // The receipt ends in a newline; show adds one.
            String(PollsReceipt.render(report).dropLast())
        }
    }
}

extension PollsReport.Occasion: ExpressibleByArgument {}
