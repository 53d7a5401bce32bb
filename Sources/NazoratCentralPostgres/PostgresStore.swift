import Logging
import NazoratCentral
import NazoratCore
import PostgresNIO

/// Central's national store: one PostgreSQL database that several nazorat-central processes
/// share, any of which may receive any station's envelopes. A batch locks its station's row
/// (`SELECT … FOR UPDATE`) for its transaction, so that two processes judge one station's
/// batches one after the other, each from the state the other committed; batches of several
/// stations that arrive together share a transaction (``GroupCommit``).
package final class PostgresStore: CentralDatabase {
    let session: PostgresSession
    private let runner: Task<Void, Never>
    /// Where batches wait for a transaction, several stations' to one commit.
    let batches: GroupCommit<BatchWork>

    private init(session: PostgresSession) {
        self.session = session
        let client = session.client
        runner = Task { await client.run() }
        batches = Self.batches(on: session)
    }

    /// Connects, and brings the schema forward; the password from `PGPASSWORD`.
    package static func open(_ url: DatabaseURL, password: String?, deadline: Duration = .seconds(5),
                             logger: Logger) async throws -> PostgresStore {
        let store = PostgresStore(session: PostgresSession(url: url, password: password, deadline: deadline, logger: logger))
        do {
            try await store.session.timed { try await PostgresSchema.migrate(store.session.client, logger: logger) }
        } catch {
            await store.close()
            throw CentralError(message: "\(url) cannot be opened: \(error)")
        }
        return store
    }

    package func close() async {
        runner.cancel()
        await runner.value
    }

    /// Rows read outside a transaction.
    package func read<Result: Sendable>(_ statement: SQLStatement,
                                        _ transform: @escaping @Sendable ([any SQLRow]) throws -> Result) async throws -> Result {
        try await session.timed { [session] in
            try await session.client.withConnection { connection in try transform(try await session.rows(statement, on: connection)) }
        }
    }

    package func write(_ statements: [SQLStatement]) async throws {
        try await session.timed { [session] in
            try await session.client.withTransaction(logger: session.logger) { connection in
                for statement in statements { try await session.run(statement, on: connection) }
            }
        }
    }

    package func station(_ id: String) async throws -> StationRecord? {
        try await read(CentralSQL.station(id)) { try $0.first.map(StationRecord.init) }
    }

    package func stations() async throws -> [StationRecord] {
        try await read(CentralSQL.stations) { try $0.map(StationRecord.init) }
    }

    package func latestReports() async throws -> [String: [PollsReport.Occasion: ReportRecord]] {
        ReportRecord.latest(try await read(CentralSQL.latestReports) { try $0.map(ReportRecord.init) })
    }

    package func rejectionCounts() async throws -> [String: Int] {
        try await read(CentralSQL.rejectionCounts) { rows in
            var counts: [String: Int] = [:]
            for row in rows { counts[try row.text(required: "reason")] = Int(try row.integer(required: "n")) }
            return counts
        }
    }
}

/// PostgreSQL cannot be reached, or failed a request: central answers 503 `storage`.
package struct PostgresUnavailable: Error, CustomStringConvertible {
    package let message: String
    /// Whether the failure may be one batch's (a statement the server refused for what it
    /// holds, or the judgement's own error) rather than the database's (away, slow, a lock
    /// that timed out): a group that failed so runs each of its batches again alone.
    package let batchsOwn: Bool
    package var description: String { message }

    package init(message: String, batchsOwn: Bool = false) {
        (self.message, self.batchsOwn) = (message, batchsOwn)
    }

    static func isBatchsOwn(_ error: any Error) -> Bool {
        if let transaction = error as? PostgresTransactionError { return transaction.closureError.map(isBatchsOwn) ?? false }
        if error is MissingColumn { return true }
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        // Data (22), integrity (23), and a rolled-back transaction (40: a deadlock's victim);
        // not a lock or statement timeout (55P03, 57014), which each batch alone would repeat.
        return ["22", "23", "40"].contains(String(state.prefix(2)))
    }

    /// A plain sentence for `error` (postgres-nio's own description hides the server's words).
    static func describe(_ error: any Error, url: DatabaseURL) -> String {
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError {
                return describe(inner, url: url)
            }
        }
        if error is CancellationError { return "\(url) did not answer in time" }
        if let missing = error as? MissingColumn { return missing.description }
        // The pool's own errors (its breaker after a long outage among them) say the same.
        guard let error = error as? PSQLError else { return "\(url) cannot be reached" }
        if let message = error.serverInfo?[.message] {
            return "\(url) refused a request: \(message)" + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        switch error.code {
        case .authMechanismRequiresPassword:
            return "\(url) asks for a password: put it in the environment as PGPASSWORD"
        case .sslUnsupported, .failedToAddSSLHandler:
            return "\(url) cannot be reached over TLS: the server does not offer it, or its certificate is not one "
                + "this machine's trust store accepts; sslmode=disable only on a network you trust"
        default:
            return "\(url) cannot be reached or closed the connection"
        }
    }
}
