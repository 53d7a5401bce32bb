import ArgumentParser
import FoundationEssentials
import NazoratAPI
import NazoratClient

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
        try await options.show("/v1/results", as: FinalReportDocument.self, view: Views.results)
    }
}
