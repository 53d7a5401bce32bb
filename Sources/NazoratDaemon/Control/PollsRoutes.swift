import NazoratAPI
import NazoratCore
import NazoratHTTP
import NazoratStore

/// The polls phase, the ballot scanners' counters and the per-contest results.
extension ControlRoutes {
    static let pollsRoutes: [Route] = [
        Route("GET", "/v1/counters", .read) { routes, _ in
            .json(countersDocument(routes.board.counters, phase: routes.board.summary.phase))
        },
        Route("PUT", "/v1/scanners/{port}/counters", .reportCounters) { routes, call in await routes.reportCounters(call) },
        Route("GET", "/v1/polls", .read) { routes, _ in .json(PollsDocument(phase: routes.board.summary.phase.rawValue)) },
        Route("POST", "/v1/polls/open", .administer) { routes, call in await routes.openPolls(call.request) },
        Route("POST", "/v1/polls/close", .administer) { routes, call in
            await routes.changePhase(.closed, call.request.peer, force: nil)
        },
        Route("GET", "/v1/results", .read) { routes, _ in routes.finalReport() },
        Route("POST", "/v1/results", .reportCounters) { routes, call in await routes.submitResults(call.request) },
    ]

    /// The counters as shown in `phase`: ballot counts only while the polls are open.
    static func countersDocument(_ scanners: [String: ScannerRecord], phase: PollsPhase) -> CountersDocument {
        CountersDocument(phase: phase.rawValue, scanners: CounterSummary.list(scanners, phase: phase))
    }

    func reportCounters(_ call: RouteCall) async -> ControlResponse {
        let report: CounterReport
        switch Self.decode(CounterReport.self, call.request.body) {
        case .success(let decoded): report = decoded
        case .failure(let error): return error.response
        }
        let counters = ScannerCounters(publicCount: report.public, protectiveCount: report.protective)
        switch await supervisor.report(counters, port: call.parameter, by: call.request.peer) {
        case .accepted(let changed):
            return .json(CounterReportAnswer(accepted: true, changed: changed))
        case .anomaly(let anomaly, let detail):
            return .error(409, code: anomaly.rawValue, message: detail + "; the values are kept as evidence and an alarm is open")
        case .notDurable:
            return .error(503, code: "storage", message: "the report could not be written; report it again")
        }
    }

    func changePhase(_ next: PollsPhase, _ peer: Peer, force: PollsReport.Force?) async -> ControlResponse {
        do {
            let context = await reportContext()
            return .json(PollsDocument(phase: try await supervisor.changePhase(to: next, by: peer, context: context,
                                                                               force: force).rawValue))
        } catch {
            return error.response
        }
    }

    func submitResults(_ request: ControlRequest) async -> ControlResponse {
        let submission: ResultsSubmission
        switch Self.decode(ResultsSubmission.self, request.body) {
        case .success(let decoded): submission = decoded
        case .failure(let error): return error.response
        }
        guard !submission.contests.isEmpty, submission.contests.allSatisfy({ $0.totals.values.allSatisfy { $0 >= 0 } }) else {
            return .error(400, code: "bad-results", message: "at least one contest, and no negative total")
        }
        do {
            try await supervisor.submitResults(JSONText.encode(submission), contests: submission.contests.count,
                                               by: request.peer)
            return .json(CounterReportAnswer(accepted: true, changed: true))
        } catch {
            return error.response
        }
    }

    func finalReport() -> ControlResponse {
        let phase = board.summary.phase
        guard phase == .closed else {
            return .error(409, code: "conflict", message: "the final report exists once the polls close; they are \(phase.rawValue)")
        }
        return .json(FinalReportDocument(station: configuration.station, phase: phase.rawValue,
                                         scanners: CounterSummary.list(board.counters, phase: phase),
                                         contests: reporter.contests()))
    }
}
