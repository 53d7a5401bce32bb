import NazoratAPI
import NazoratConfiguration
import NazoratCore
import NazoratHTTP
import NazoratStore

/// The daemon's side of the control API (docs/openapi.yaml). The route table
/// (RouteTable.swift) names each resource's permission; the handlers, one file per
/// resource, parse the request, read the daemon's state or ask the Supervisor for a
/// change, and nothing else. Every change and every refusal is an event naming the peer.
struct ControlRoutes: Sendable {
    let configuration: Configuration
    let board: StatusBoard
    let log: EventLog
    let store: StateStore
    let supervisor: Supervisor
    let enforcer: Enforcer
    let reporter: StationReporter
    let feed: Broadcast<Event>
    let metrics: StationMetrics
    let publicKey: String
    /// The outbox, when the configuration has an [uplink] table.
    let outbox: Outbox?
    /// Rung when the outbox gains envelopes, for long-polling readers.
    let outboxDoorbell: Broadcast<Void>
    /// Open alarms with their ids, re-read only when the log moved on.
    let openAlarms: OpenAlarmCache
    /// The whole-log walks of the zero and closing reports.
    let reportWalks: ReportWalks
    /// The present devices' encoded documents (`GET /v1/devices`).
    let deviceDocuments = DeviceDocumentCache()

    /// Answers `request`: who may ask, which route, then the route's handler.
    func route(_ request: ControlRequest) async -> ControlResponse {
        let permissions = request.peer.permissions
        guard !permissions.isEmpty else {
            return await refuse(request, "uid \(request.peer.uid) is not in group nazorat (nor nazorat-scanner, nor nazorat-uplink)")
        }
        switch Self.match(request) {
        case .failure(let error):
            return error.response
        case .success(let (route, call)):
            guard permissions.contains(route.permission) else {
                return await refuse(request, "this needs the permission \(route.permission.rawValue)")
            }
            return await route.handle(self, call)
        }
    }

    private func refuse(_ request: ControlRequest, _ reason: String) async -> ControlResponse {
        // The path is percent-decoded: whatever bytes the client chose. Escaped before it is logged.
        await supervisor.refused("\(request.method) \(DeviceString(request.path).escaped(limit: 256))", peer: request.peer,
                                 reason: reason)
        return .error(403, code: "forbidden", message: reason)
    }
}
