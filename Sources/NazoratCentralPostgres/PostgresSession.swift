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

    /// `work`, or ``PostgresUnavailable`` when the database fails it or has not answered by
    /// the deadline. Central answers at the deadline whatever the work is doing: the work is
    /// cancelled, which ends a wait for a connection, and a query in flight, which neither
    /// cancellation nor a server that stopped answering ends, is left to end alone
    /// (``FirstOutcome``). Its transaction may still commit: then the 503 was for a batch
    /// already stored, which the uplink sends again and central answers as repeats, accepted;
    /// an operator who was told 503 sees on the page whether the action took.
    func timed<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        do {
            return try await FirstOutcome.of(work, within: deadline)
        } catch is FirstOutcome.DeadlinePassed {
            throw PostgresUnavailable(message: "\(url) did not answer within \(deadline)")
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
