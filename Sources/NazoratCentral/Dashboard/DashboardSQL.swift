/// The dashboard's tables and statements, for both stores: the accounts of the monitoring
/// room, their sessions, and the audit of what they did and were refused.
package enum DashboardSQL {
    /// The tables, in either store's integer types, one statement each.
    package static func schema(autoincrement: String, integer: String) -> [String] {
        ["""
        CREATE TABLE accounts (
            name          TEXT PRIMARY KEY NOT NULL,
            role          TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_usec  \(integer) NOT NULL,
            disabled_usec \(integer)
        )
        """, """
        -- A session is known by its token's SHA-256 only: the table does not hold what opens it.
        CREATE TABLE sessions (
            token_hash    TEXT PRIMARY KEY NOT NULL,
            account       TEXT NOT NULL,
            created_usec  \(integer) NOT NULL,
            expires_usec  \(integer) NOT NULL
        )
        """, """
        -- Every operator action and every refusal: who, when, from where, what, and how it ended.
        CREATE TABLE audit (
            id            \(autoincrement),
            usec          \(integer) NOT NULL,
            account       TEXT,
            role          TEXT,
            action        TEXT NOT NULL,
            target        TEXT,
            outcome       TEXT NOT NULL,
            peer          TEXT NOT NULL
        )
        """]
    }

    static func setAccount(_ name: String, role: DashboardRole, passwordHash: String, now: Int64) -> [SQLStatement] {
        [SQLStatement("DELETE FROM accounts WHERE name = ?", [.text(name)]),
         SQLStatement("INSERT INTO accounts (name, role, password_hash, created_usec) VALUES (?, ?, ?, ?)",
                      [.text(name), .text(role.rawValue), .text(passwordHash), .integer(now)]),
         // A new password ends the account's sessions.
         SQLStatement("DELETE FROM sessions WHERE account = ?", [.text(name)])]
    }

    static func disable(_ name: String, now: Int64) -> [SQLStatement] {
        [SQLStatement("UPDATE accounts SET disabled_usec = COALESCE(disabled_usec, ?) WHERE name = ?", [.integer(now), .text(name)]),
         SQLStatement("DELETE FROM sessions WHERE account = ?", [.text(name)])]
    }

    static func account(_ name: String) -> SQLStatement {
        SQLStatement("SELECT * FROM accounts WHERE name = ? AND disabled_usec IS NULL", [.text(name)])
    }

    static func openSession(tokenHash: String, account: String, now: Int64, expires: Int64) -> [SQLStatement] {
        [SQLStatement("DELETE FROM sessions WHERE expires_usec < ?", [.integer(now)]),
         SQLStatement("INSERT INTO sessions (token_hash, account, created_usec, expires_usec) VALUES (?, ?, ?, ?)",
                      [.text(tokenHash), .text(account), .integer(now), .integer(expires)])]
    }

    /// The session's account, if the session is open and the account enabled.
    static func session(tokenHash: String, now: Int64) -> SQLStatement {
        SQLStatement("""
            SELECT a.name AS name, a.role AS role FROM sessions s JOIN accounts a ON a.name = s.account
            WHERE s.token_hash = ? AND s.expires_usec > ? AND a.disabled_usec IS NULL
            """, [.text(tokenHash), .integer(now)])
    }

    /// Which of `tokenHashes` are open sessions of enabled accounts.
    static func openSessions(_ tokenHashes: [String], now: Int64) -> SQLStatement {
        SQLStatement("""
            SELECT s.token_hash AS token_hash FROM sessions s JOIN accounts a ON a.name = s.account
            WHERE s.token_hash IN (\(tokenHashes.map { _ in "?" }.joined(separator: ", "))) AND s.expires_usec > ?
            AND a.disabled_usec IS NULL
            """, tokenHashes.map { .text($0) } + [.integer(now)])
    }

    static func closeSession(tokenHash: String) -> SQLStatement {
        SQLStatement("DELETE FROM sessions WHERE token_hash = ?", [.text(tokenHash)])
    }

    static func record(_ entry: AuditEntry) -> SQLStatement {
        SQLStatement("""
            INSERT INTO audit (usec, account, role, action, target, outcome, peer) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.integer(entry.usec), .text(entry.account), .text(entry.role?.rawValue), .text(entry.action.rawValue),
                  .text(entry.target), .text(entry.outcome), .text(entry.peer)])
    }

    static func audit(limit: Int) -> SQLStatement {
        SQLStatement("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [.integer(Int64(limit))])
    }
}
