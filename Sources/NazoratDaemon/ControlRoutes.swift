import NazoratControl
import NazoratCore
import NazoratStore

/// The daemon's side of the control API: each route reads or changes the daemon's state.
struct ControlRoutes: Sendable {
    let configuration: Configuration
    let board: StatusBoard
    let log: EventLog
    let started: ContinuousClock.Instant

    func route(_ request: ControlRequest) async -> ControlResponse {
        switch (request.method, request.segments) {
        case ("GET", ["v1", "status"]):
            return .json(await status())
        case (_, ["v1", "status"]):
            return .error(405, code: "method-not-allowed", message: "\(request.method) is not allowed on \(request.path)")
        default:
            return .error(404, code: "not-found", message: "no such resource: \(request.path)")
        }
    }

    private func status() async -> StatusDocument {
        let summary = board.summary
        let head = await log.currentHead
        let uptime = ContinuousClock.now - started
        return StatusDocument(
            station: configuration.station, phase: summary.phase.rawValue, mode: configuration.mode.rawValue,
            uptime: Double(uptime.components.seconds) + Double(uptime.components.attoseconds) / 1e18,
            version: Daemon.version,
            devices: .init(present: summary.present, sealed: summary.sealed, missing: summary.missing,
                           blocked: summary.blocked),
            alarms: summary.alarms.map {
                .init(kind: $0.kind, severity: $0.severity.rawValue, port: $0.subject, state: $0.state.rawValue)
            },
            log: head.map { .init(seq: $0.seq, hash: $0.hash) },
            storage: .init(state: summary.storageFailure == nil ? "ok" : "failing", reason: summary.storageFailure),
            summary: summary.statusLine)
    }
}
