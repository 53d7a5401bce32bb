import Logging
import NazoratCentral
import NazoratCore
import PostgresNIO

/// Central's national store: one PostgreSQL database that several nazorat-central processes
/// share, any of which may receive any station's envelopes. A batch locks its station's row
/// (`SELECT … FOR UPDATE`) for its transaction, so that two processes judge one station's
/// batches one after the other, each from the state the other committed.
package final class PostgresStore: CentralDatabase {
    let client: PostgresClient
    let url: DatabaseURL
    let logger: Logger
    /// How long a request waits for the database before central answers 503 `storage`
    /// (a PostgreSQL that is down or restarting: the uplink sends again).
    let deadline: Duration
    private let runner: Task<Void, Never>

    private init(url: DatabaseURL, password: String?, deadline: Duration, logger: Logger) {
        var configuration: PostgresClient.Configuration
        switch url.endpoint {
        case .tcp(let host, let port):
            configuration = .init(host: host, port: port, username: url.user, password: password, database: url.database,
                                  tls: url.security == .require ? .require(.makeClientConfiguration()) : .disable)
        case .socket(let path):
            configuration = .init(unixSocketPath: path, username: url.user, password: password, database: url.database)
        }
        configuration.options.connectTimeout = deadline
        configuration.options.maximumConnections = 16
        // Set on every connection, whatever the server's defaults: a statement or a lock wait
        // that takes longer fails (503) instead of holding a station; the batch's and the
        // registry's checks rely on READ COMMITTED (each statement sees what committed
        // before it, the row lock's wait included).
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "\(Self.milliseconds(deadline))"), ("lock_timeout", "\(Self.milliseconds(deadline))"),
            ("default_transaction_isolation", "read committed"),
        ]
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        (self.url, self.logger, self.deadline) = (url, logger, deadline)
        let client = client
        runner = Task { await client.run() }
    }

    /// Connects, and brings the schema forward; the password from `PGPASSWORD`.
    package static func open(_ url: DatabaseURL, password: String?, deadline: Duration = .seconds(5),
                             logger: Logger) async throws -> PostgresStore {
        let store = PostgresStore(url: url, password: password, deadline: deadline, logger: logger)
        do {
            try await store.timed { try await PostgresSchema.migrate(store.client, logger: logger) }
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

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// `work`, or ``PostgresUnavailable`` when the database fails it. Past the deadline the
    /// work is cancelled, which ends a wait for a connection (the server is away); a query in
    /// flight is bounded by the server's own timeouts instead, and a transaction that ends
    /// after all, committed, is answered as committed, never as a failure.
    func timed<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let deadline = deadline, url = url
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try? await Task.sleep(for: deadline)
                    return nil
                }
                while let next = try await group.next() {
                    if let result = next {
                        group.cancelAll()
                        return result
                    }
                    group.cancelAll()
                }
                throw PostgresUnavailable(message: "\(url) did not answer within \(deadline)")
            }
        } catch let error as PostgresUnavailable {
            throw error
        } catch {
            throw PostgresUnavailable(message: PostgresUnavailable.describe(error, url: url))
        }
    }

    /// The rows `statement` selects.
    func rows(_ statement: SQLStatement, on connection: PostgresConnection) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.query(statement.query, logger: logger) { rows.append(row.makeRandomAccess()) }
        return rows
    }

    func run(_ statement: SQLStatement, on connection: PostgresConnection) async throws {
        try await connection.query(statement.query, logger: logger)
    }

    /// Rows read outside a transaction.
    package func read<Result: Sendable>(_ statement: SQLStatement,
                                        _ transform: @escaping @Sendable ([any SQLRow]) throws -> Result) async throws -> Result {
        try await timed { [self] in
            try await client.withConnection { connection in try transform(try await rows(statement, on: connection)) }
        }
    }

    package func write(_ statements: [SQLStatement]) async throws {
        try await timed { [self] in
            try await client.withTransaction(logger: logger) { connection in
                for statement in statements { try await run(statement, on: connection) }
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

    package func formerKeys(station: String) async throws -> [(generation: Int64, publicKey: String)] {
        try await read(CentralSQL.keyHistory) { rows in
            try rows.map(RegistryPlan.FormerKey.init).filter { $0.station == station }.map { ($0.generation, $0.publicKey) }
        }
    }
}

/// PostgreSQL cannot be reached, or failed a request: central answers 503 `storage`.
package struct PostgresUnavailable: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }

    /// A plain sentence for `error` (postgres-nio's own description hides the server's words).
    static func describe(_ error: any Error, url: DatabaseURL) -> String {
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError {
                return describe(inner, url: url)
            }
        }
        if error is CancellationError { return "\(url) did not answer in time" }
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

extension PostgresRandomAccessRow: SQLRow {
    package func integer(_ column: String) throws -> Int64? {
        contains(column) ? try self[column].decode(Int64?.self) : nil
    }

    package func text(_ column: String) throws -> String? {
        contains(column) ? try self[column].decode(String?.self) : nil
    }
}

extension SQLStatement {
    var query: PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .integer(let number): binds.append(number)
            case .text(let text): binds.append(text)
            }
        }
        return PostgresQuery(unsafeSQL: numberedSQL, binds: binds)
    }
}
