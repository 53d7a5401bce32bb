/// What an account of the monitoring room may do: a viewer reads; an operator also enrols
/// and retires stations.
package enum DashboardRole: String, Sendable, Codable {
    case viewer, `operator`

    func may(_ action: AuditEntry.Action) -> Bool {
        switch action {
        case .enroll, .retire, .audit: self == .operator
        case .login, .logout, .read, .act: true
        }
    }
}

/// Who is signed in.
struct DashboardIdentity: Sendable {
    var account: String
    var role: DashboardRole
}

/// One line of the audit: an operator action or a refusal, with who, when and from where.
struct AuditEntry: Sendable, Encodable {
    /// `read` and `act`: a request refused before its action was known (no session).
    enum Action: String, Sendable, Encodable {
        case login, logout, read, act, enroll, retire, audit
    }

    var usec: Int64
    var account: String?
    var role: DashboardRole?
    var action: Action
    /// The station acted on, or the page read.
    var target: String?
    /// `done`, or why it was refused (`no-session`, `forbidden`, `bad-password`, ...).
    var outcome: String
    /// The client's address.
    var peer: String

    init(usec: Int64, account: String?, role: DashboardRole?, action: Action, target: String?, outcome: String, peer: String) {
        (self.usec, self.account, self.role, self.action, self.target, self.outcome, self.peer) =
            (usec, account, role, action, target, outcome, peer)
    }

    init(row: any SQLRow) throws {
        usec = try row.integer(required: "usec")
        account = try row.text("account")
        role = try row.text("role").flatMap(DashboardRole.init)
        let action = try row.text(required: "action")
        guard let known = Action(rawValue: action) else { throw MissingColumn(column: "audit.action (\(action))") }
        self.action = known
        target = try row.text("target")
        outcome = try row.text(required: "outcome")
        peer = try row.text(required: "peer")
    }
}
