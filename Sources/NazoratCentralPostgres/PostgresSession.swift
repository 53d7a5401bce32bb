import Logging
import NazoratCentral
import PostgresNIO

/// One PostgreSQL database as central uses it: the client and its connections' settings, the
/// deadline a request waits for it, and how central's statements run on a connection.
struct PostgresSession: Sendable {
    let client: PostgresClient
    let url: DatabaseURL
    let logger: Logger
    /// How long a request waits for the database before central answers 503 `storage`
    /// (a PostgreSQL that is down or restarting: the uplink sends again).
    let deadline: Duration

    init(url: DatabaseURL, password: String?, deadline: Duration, logger: Logger) {
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
            throw PostgresUnavailable(message: PostgresUnavailable.describe(error, url: url),
                                      batchsOwn: PostgresUnavailable.isBatchsOwn(error))
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
