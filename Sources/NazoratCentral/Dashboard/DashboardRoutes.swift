import FoundationEssentials
import Logging
import NazoratCore
import NazoratHTTP

/// The monitoring room's web dashboard, under `/dashboard` (docs/dashboard.md): the page and
/// its script (no CDN, no fonts: the room may be offline), sign-in, the overview and a
/// station's page as JSON, the live overview as server-sent events, and the operators'
/// actions. Every request but the page's own files needs a session; every refusal and every
/// operator action goes to the audit.
struct DashboardRoutes: Sendable {
    let auth: DashboardAuth
    let feed: DashboardFeed
    let database: any CentralDatabase
    let liveness: Liveness
    let now: @Sendable () -> Int64
    let logger: Logger

    func route(_ request: ControlRequest) async -> ControlResponse {
        let peer = request.peer.command
        switch (request.method, request.path) {
        case ("GET", "/dashboard"), ("GET", "/dashboard/"): return DashboardAssets.page
        case ("GET", "/dashboard/app.js"): return DashboardAssets.script
        case ("GET", "/dashboard/style.css"): return DashboardAssets.style
        case ("POST", "/dashboard/api/login"): return await login(request, peer: peer)
        default: break
        }
        guard request.path.hasPrefix("/dashboard/api/") else {
            return .error(404, code: "not-found", message: "no such page: \(DeviceString(request.path).escaped(limit: 80))")
        }
        do {
            guard let identity = try await auth.identity(of: request) else {
                try await auth.record(.read, identity: nil, target: request.path, outcome: "no-session", peer: peer)
                return .error(401, code: "unauthenticated", message: "sign in to the dashboard first")
            }
            return try await signedIn(request, identity: identity, peer: peer)
        } catch {
            logger.error("the dashboard's storage failed: \(error)")
            return .error(503, code: "storage", message: "central's storage is unavailable; try again shortly")
        }
    }

    private func signedIn(_ request: ControlRequest, identity: DashboardIdentity, peer: String) async throws -> ControlResponse {
        let segments = request.segments
        switch (request.method, segments.dropFirst(2).first, segments.count) {
        case ("GET", "me", 3): return .json(identity.document)
        case ("GET", "overview", 3): return .json(try await feed.snapshot())
        case ("GET", "live", 3):
            var response = ControlResponse.streaming(await feed.watch(), contentType: "text/event-stream")
            response.headers = [("Cache-Control", "no-store")]
            return response
        case ("GET", "stations", 4): return try await station(segments[3])
        case ("GET", "audit", 3):
            return .json(try await database.read(DashboardSQL.audit(limit: 200)) { try $0.map(AuditEntry.init) })
        case ("POST", "logout", 3):
            try await auth.logout(request, identity: identity, peer: peer)
            var response = ControlResponse.json(["signedOut": true])
            response.headers = [("Set-Cookie", auth.cookie(nil))]
            return response
        case ("POST", "enroll", 3): return try await act(.enroll, request, identity: identity, peer: peer)
        case ("POST", "retire", 3): return try await act(.retire, request, identity: identity, peer: peer)
        default:
            return .error(404, code: "not-found", message: "no such resource: \(DeviceString(request.path).escaped(limit: 80))")
        }
    }

    private func station(_ id: String) async throws -> ControlResponse {
        guard let record = try await database.station(id) else {
            return .error(404, code: "not-found", message: "no station \(DeviceString(id).escaped(limit: 64)) is enrolled")
        }
        let reports = try await database.latestReports()[id] ?? [:]
        let view = StationView(record, reports: reports, now: now(), liveness: liveness)
        return .json(try await database.read(DashboardStation.statement(record)) { try DashboardStation(view, rows: $0) })
    }

    private struct Login: Decodable {
        var name: String
        var password: String
    }

    private func login(_ request: ControlRequest, peer: String) async -> ControlResponse {
        guard let body = try? JSONDecoder().decode(Login.self, from: Data(request.body)) else {
            return .error(400, code: "malformed", message: "the body must be {\"name\": ..., \"password\": ...}")
        }
        do {
            guard let (token, identity) = try await auth.login(name: body.name, password: body.password, peer: peer) else {
                return .error(401, code: "unauthenticated", message: "that name and password do not open the dashboard")
            }
            var response = ControlResponse.json(identity.document)
            response.headers = [("Set-Cookie", auth.cookie(token))]
            return response
        } catch {
            logger.error("the dashboard's storage failed: \(error)")
            return .error(503, code: "storage", message: "central's storage is unavailable; try again shortly")
        }
    }

    private struct Action: Decodable {
        var station: String
        var publicKey: String?
    }

    /// An operator's action: refused (and recorded) for a viewer, done and recorded for an operator.
    private func act(_ action: AuditEntry.Action, _ request: ControlRequest, identity: DashboardIdentity,
                     peer: String) async throws -> ControlResponse {
        // A JSON body only: a form on another site cannot send one without the browser asking first.
        guard request.header("Content-Type")?.hasPrefix("application/json") == true,
              let body = try? JSONDecoder().decode(Action.self, from: Data(request.body)) else {
            return .error(400, code: "malformed", message: "the body must be JSON: {\"station\": ...}")
        }
        guard identity.role.may(action) else {
            try await auth.record(action, identity: identity, target: body.station, outcome: "forbidden", peer: peer)
            return .error(403, code: "forbidden", message: "\(action.rawValue) is for operators; \(identity.account) is a viewer")
        }
        do {
            switch action {
            case .enroll:
                _ = try await Central.enroll(database, station: body.station, publicKey: body.publicKey ?? "")
            default:
                try await Central.retire(database, station: body.station)
            }
        } catch let refusal as CentralError {
            try await auth.record(action, identity: identity, target: body.station, outcome: "refused", peer: peer)
            return .error(422, code: "refused", message: refusal.message)
        }
        try await auth.record(action, identity: identity, target: body.station, outcome: "done", peer: peer)
        return .json(["done": true])
    }
}

extension DashboardIdentity {
    var document: [String: String] { ["account": account, "role": role.rawValue] }
}
