import Crypto
import FoundationEssentials
import HummingbirdBcrypt
import Logging
import NazoratCore
import NazoratHTTP
import NIOPosix

/// Sign-in to the monitoring room: accounts whose passwords bcrypt hashes (cost 12), and
/// sessions held in central's database, so that any central process knows them. A session is
/// a random 256-bit token in an HttpOnly, SameSite=Strict cookie; the database keeps only its
/// SHA-256. Nothing else opens the dashboard: a station's certificate or key is no account.
struct DashboardAuth: Sendable {
    let database: any CentralDatabase
    let now: @Sendable () -> Int64
    /// Whether central serves TLS: the cookie is then `Secure`.
    let secure: Bool
    let limits: DashboardLimits
    let logger: Logger

    init(database: any CentralDatabase, now: @escaping @Sendable () -> Int64, secure: Bool, logger: Logger) {
        (self.database, self.now, self.secure, self.logger) = (database, now, secure, logger)
        limits = DashboardLimits(now: now)
    }

    /// How a sign-in ended.
    enum SignIn {
        case signedIn(token: String, identity: DashboardIdentity)
        case refused
        /// Too many at once, or too many failures from this client: try again in a minute.
        case busy
    }

    static let cookieName = "nazorat_session"
    static let sessionLifetime: Int64 = 12 * 3600 * 1_000_000
    static let passwordMinimum = 12

    /// The hash of `password` for an account (`nazorat-central account`), off Swift's threads.
    static func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: 12) }
    }

    /// Checks `password` for `name`: a new session, or a refusal (recorded either way).
    func login(name: String, password: String, peer: String) async throws -> SignIn {
        guard await limits.admitSignIn(peer) else {
            try await record(.login, identity: nil, target: nil, outcome: "too-many-sign-ins", peer: peer)
            return .busy
        }
        let outcome: SignIn
        do {
            outcome = try await check(name: name, password: password, peer: peer)
        } catch {
            await limits.finishSignIn(peer, failed: true)
            throw error
        }
        if case .signedIn = outcome {
            await limits.finishSignIn(peer, failed: false)
        } else {
            await limits.finishSignIn(peer, failed: true)
        }
        return outcome
    }

    private func check(name: String, password: String, peer: String) async throws -> SignIn {
        // A name no account could have (a NUL, a path) is not looked up: it is unknown.
        let account = RegistryRules.stationProblem(name) != nil ? nil : try await database.read(DashboardSQL.account(name)) { rows in
            try rows.first.map { row in
                (role: DashboardRole(rawValue: try row.text(required: "role")), hash: try row.text(required: "password_hash"))
            }
        }
        let hash = account?.hash ?? Self.decoy
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard matches, let account, let role = account.role else {
            // An unknown name is not written down: it may be a password typed in the wrong field.
            try await record(.login, identity: nil, account: account == nil ? "unknown" : name, target: nil,
                             outcome: "bad-password", peer: peer)
            return .refused
        }
        let token = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let identity = DashboardIdentity(account: name, role: role)
        try await database.write(DashboardSQL.openSession(tokenHash: Self.digest(token), account: name, now: now(),
                                                          expires: now() + Self.sessionLifetime))
        try await record(.login, identity: identity, target: nil, outcome: "done", peer: peer)
        return .signedIn(token: token, identity: identity)
    }

    /// The signed-in account of `request`, if its cookie names an open session.
    func identity(of request: ControlRequest) async throws -> DashboardIdentity? {
        guard let token = Self.token(in: request) else { return nil }
        return try await database.read(DashboardSQL.session(tokenHash: Self.digest(token), now: now())) { rows in
            guard let row = rows.first, let role = DashboardRole(rawValue: try row.text(required: "role")) else { return nil }
            return DashboardIdentity(account: try row.text(required: "name"), role: role)
        }
    }

    func logout(_ request: ControlRequest, identity: DashboardIdentity, peer: String) async throws {
        if let token = Self.token(in: request) {
            try await database.write([DashboardSQL.closeSession(tokenHash: Self.digest(token))])
        }
        try await record(.logout, identity: identity, target: nil, outcome: "done", peer: peer)
    }

    /// Writes one line of the audit; a refusal (no identity) only within the client's budget.
    func record(_ action: AuditEntry.Action, identity: DashboardIdentity?, account: String? = nil, target: String?,
                outcome: String, peer: String) async throws {
        if identity == nil, let unrecorded = await limits.auditRefusal(peer) {
            if unrecorded % 100 == 1 {
                logger.warning("\(unrecorded) refusals of \(DashboardLimits.client(peer)) this minute were not written to the audit")
            }
            return
        }
        let entry = AuditEntry(usec: now(), account: identity?.account ?? account.map { DeviceString($0).escaped(limit: 64) },
                               role: identity?.role, action: action, target: target.map { DeviceString($0).escaped(limit: 64) },
                               outcome: outcome, peer: peer)
        try await database.write([DashboardSQL.record(entry)])
    }

    /// The cookie that opens `token`'s session (or, with nil, ends it).
    func cookie(_ token: String?) -> String {
        let attributes = "Path=/dashboard; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
        guard let token else { return "\(Self.cookieName)=; Max-Age=0; " + attributes }
        return "\(Self.cookieName)=\(token); Max-Age=\(Self.sessionLifetime / 1_000_000); " + attributes
    }

    static func token(in request: ControlRequest) -> String? {
        for field in request.headers where field.name.lowercased() == "cookie" {
            for pair in field.value.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookieName, parts[1].count == 43 { return String(parts[1]) }
            }
        }
        return nil
    }

    static func digest(_ token: String) -> String {
        Hex.string(SHA256.hash(data: Array(token.utf8)))
    }

    /// Checked when the account does not exist, so that an unknown name takes as long as a
    /// wrong password (a cost-12 hash made once, of a password nobody has).
    private static let decoy = "$2b$12$Y1DxOim2M7H.a4XE6KVdPeNyy/Nlcl4/uYwdzCVKAs9Nl.Ks41hXm"
}
