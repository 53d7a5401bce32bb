import FoundationEssentials
import NazoratAPI
import NazoratCore
import NazoratHTTP
import NazoratStore

/// Opening the polls (with its readiness check) and the zero and closing reports.
extension ControlRoutes {
    static let reportRoutes: [Route] = [
        Route("GET", "/v1/reports/{occasion}", .read) { routes, call in await routes.report(call) },
    ]

    func openPolls(_ request: ControlRequest) async -> ControlResponse {
        let body: PollsOpenRequest
        switch Self.decode(PollsOpenRequest.self, request.body, empty: PollsOpenRequest()) {
        case .success(let decoded): body = decoded
        case .failure(let error): return error.response
        }
        var force: PollsReport.Force?
        if let reason = body.force?.reason {
            guard PollsOpenRequest.isStated(reason), reason.unicodeScalars.count <= PollsOpenRequest.reasonLimit else {
                return .error(400, code: "bad-reason", message: "a forced opening needs a reason for the minutes, "
                              + "1 to \(PollsOpenRequest.reasonLimit) characters (--reason)")
            }
            // A person typed it: escaped like a device string before it reaches the log and the paper.
            force = PollsReport.Force(by: request.peer.description, reason: DeviceString(reason).escaped(limit: .max))
        }
        return await changePhase(.open, request.peer, force: force)
    }

    /// What a report is made with, from outside the Supervisor: the whole log walked first.
    func reportContext() async -> Supervisor.ReportContext {
        Supervisor.ReportContext(station: configuration.station,
                                 keyId: Envelope.keyID(ofPublicKeyText: publicKey) ?? "unknown",
                                 log: await reportWalks.state(headSeq: await log.currentHead?.seq),
                                 clock: board.centralClock)
    }

    /// `GET /v1/reports/zero` and `/closing`: the recorded report; before the polls open,
    /// the zero report opening now would make (`preview`).
    func report(_ call: RouteCall) async -> ControlResponse {
        guard let occasion = PollsReport.Occasion(rawValue: call.parameter) else {
            return .error(404, code: "not-found", message: "no such report: \(DeviceString(call.parameter).escaped(limit: 32)); "
                          + "there are zero and closing")
        }
        let phase = board.summary.phase
        if occasion == .zero, phase == .setup {
            return .json(await supervisor.previewZeroReport(await reportContext(), by: call.request.peer))
        }
        if occasion == .closing, phase != .closed {
            return .error(409, code: "conflict", message: "the closing report is made when the polls close; they are "
                          + phase.rawValue)
        }
        do {
            guard let event = try store.lastEvent(ofType: occasion.eventType),
                  let report = try? JSONDecoder().decode(PollsReport.self, from: Data(event.draft.payload.utf8)) else {
                return .error(404, code: "not-found", message: "no \(occasion.rawValue) report was recorded: the polls "
                              + "changed phase under a nazoratd that made no reports")
            }
            return .json(report)
        } catch {
            return Self.storage("the report could not be read", error)
        }
    }
}
