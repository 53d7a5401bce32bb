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
        if let allowed = Self.methods[request.path], !allowed.contains(request.method) {
            var response = ControlResponse.error(405, code: "method-not-allowed",
                                                 message: "\(request.method) is not allowed on \(request.path)")
            response.headers = [("Allow", allowed.joined(separator: ", "))]
            return response
        }
        // A POST from another site's page (the browser says so) is no operator's.
        if request.method == "POST", let site = request.header("Sec-Fetch-Site"), site != "same-origin" {
            try? await auth.record(.act, identity: nil, target: request.path, outcome: "cross-site", peer: peer)
            return .error(403, code: "cross-site", message: "the dashboard takes requests from its own pages only")
        }
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
                try await auth.record(request.method == "GET" ? .read : .act, identity: nil, target: request.path,
                                      outcome: "no-session", peer: peer)
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
            let token = DashboardAuth.token(in: request).map(DashboardAuth.digest) ?? ""
            var response = ControlResponse.streaming(await feed.watch(session: token), contentType: "text/event-stream")
            response.headers = [("Cache-Control", "no-store")]
            return response
        case ("GET", "stations", 4): return try await station(segments[3])
        case ("GET", "audit", 3):
            guard identity.role.may(.audit) else {
                try await auth.record(.audit, identity: identity, target: nil, outcome: "forbidden", peer: peer)
                return .error(403, code: "forbidden", message: "the audit is for operators; \(identity.account) is a viewer")
            }
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
        // An id no registry could hold is not looked up (PostgreSQL refuses a NUL outright).
        guard RegistryRules.stationProblem(id) == nil, let record = try await database.station(id) else {
            return .error(404, code: "not-found", message: "no station \(DeviceString(id).escaped(limit: 64)) is enrolled")
        }
        let view = StationView(record, reports: try await database.latestReports(of: record), now: now(), liveness: liveness)
        let beats = try await database.read(DashboardStation.envelopes(record, kind: "heartbeat", limit: 20)) { $0.map(StoredRow.init) }
        let events = try await database.read(DashboardStation.envelopes(record, kind: "events", limit: 10)) { $0.map(StoredRow.init) }
        return .json(try DashboardStation(view, heartbeats: beats, events: events))
    }

    private struct Login: Decodable {
        var name: String
        var password: String
    }

    private func login(_ request: ControlRequest, peer: String) async -> ControlResponse {
        // JSON only, and small: a form on another site cannot sign this screen in as someone else.
        guard request.header("Content-Type")?.hasPrefix("application/json") == true, request.body.count <= 4096,
              let body = try? JSONDecoder().decode(Login.self, from: Data(request.body)) else {
            return .error(400, code: "malformed", message: "the body must be JSON of at most 4 KB: {\"name\": ..., \"password\": ...}")
        }
        do {
            switch try await auth.login(name: body.name, password: body.password, peer: peer) {
            case .refused:
                return .error(401, code: "unauthenticated", message: "that name and password do not open the dashboard")
            case .busy:
                var response = ControlResponse.error(429, code: "too-many-sign-ins",
                                                     message: "too many sign-ins at once or failed from here: try again in a minute")
                response.headers = [("Retry-After", "60")]
                return response
            case .signedIn(let token, let identity):
                var response = ControlResponse.json(identity.document)
                response.headers = [("Set-Cookie", auth.cookie(token))]
                return response
            }
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
        guard RegistryRules.stationProblem(body.station) == nil else {
            try await auth.record(action, identity: identity, target: body.station, outcome: "refused", peer: peer)
            return .error(422, code: "refused", message: "\(DeviceString(body.station).escaped(limit: 64)) is not a station id")
        }
        guard identity.role.may(action) else {
            try await auth.record(action, identity: identity, target: body.station, outcome: "forbidden", peer: peer)
            return .error(403, code: "forbidden", message: "\(action.rawValue) is for operators; \(identity.account) is a viewer")
        }
        do {
            if action == .enroll {
                _ = try await Central.enroll(database, station: body.station, publicKey: body.publicKey ?? "")
            } else {
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

extension DashboardRoutes {
    /// The methods of each fixed path (a station's page is `GET` only, like the rest of `GET`s).
    static let methods: [String: [String]] = [
        "/dashboard": ["GET"], "/dashboard/": ["GET"], "/dashboard/app.js": ["GET"], "/dashboard/style.css": ["GET"],
        "/dashboard/api/login": ["POST"], "/dashboard/api/logout": ["POST"], "/dashboard/api/enroll": ["POST"],
        "/dashboard/api/retire": ["POST"], "/dashboard/api/me": ["GET"], "/dashboard/api/overview": ["GET"],
        "/dashboard/api/live": ["GET"], "/dashboard/api/audit": ["GET"],
    ]
}

extension DashboardIdentity {
    var document: [String: String] { ["account": account, "role": role.rawValue] }
}
