/// What an account of the monitoring room may do: a viewer reads; an operator also enrols
/// and retires stations.
package enum DashboardRole: String, Sendable, Codable, CaseIterable {
    case viewer, `operator`

    func may(_ action: AuditEntry.Action) -> Bool {
        switch action {
        case .enroll, .retire: self == .operator
        case .login, .logout, .read: true
        }
    }
}

/// Who is signed in.
package struct DashboardIdentity: Sendable, Equatable {
    package var account: String
    package var role: DashboardRole
}

/// One line of the audit: an operator action or a refusal, with who, when and from where.
package struct AuditEntry: Sendable, Codable, Equatable {
    package enum Action: String, Sendable, Codable {
        case login, logout, read, enroll, retire
    }

    package var usec: Int64
    package var account: String?
    package var role: DashboardRole?
    package var action: Action
    /// The station acted on, or the page read.
    package var target: String?
    /// `done`, or why it was refused (`no-session`, `forbidden`, `bad-password`, ...).
    package var outcome: String
    /// The client's address.
    package var peer: String

    init(usec: Int64, account: String?, role: DashboardRole?, action: Action, target: String?, outcome: String, peer: String) {
        (self.usec, self.account, self.role, self.action, self.target, self.outcome, self.peer) =
            (usec, account, role, action, target, outcome, peer)
    }

    init(row: any SQLRow) throws {
        usec = try row.integer(required: "usec")
        account = try row.text("account")
        role = try row.text("role").flatMap(DashboardRole.init)
        action = Action(rawValue: try row.text(required: "action")) ?? .read
        target = try row.text("target")
        outcome = try row.text(required: "outcome")
        peer = try row.text(required: "peer")
    }
}
