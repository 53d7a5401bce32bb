import FoundationEssentials

/// Where the national store is, as `--database` gives it, in libpq's URL form:
/// `postgresql://USER@HOST:PORT/DATABASE?sslmode=require`, or over a Unix socket
/// `postgresql://USER@/DATABASE?host=/run/postgresql`. The password is never in the URL
/// (a command line is visible to every user of the machine in `ps`): it comes from the
/// environment's `PGPASSWORD`, as for psql.
package struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    package enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket file PostgreSQL makes in its socket directory (`.s.PGSQL.PORT`, libpq's naming).
        case socket(path: String)
    }

    /// How the connection is protected: TLS required (the default over TCP to another
    /// machine), or none (a Unix socket, loopback, or `sslmode=disable` said so).
    package enum Security: String, Sendable, Equatable {
        case disable, require
    }

    package var endpoint: Endpoint
    package var user: String
    package var database: String
    package var security: Security

    /// A plain sentence naming what is wrong and the form that is right.
    package struct Problem: Error, CustomStringConvertible {
        package let description: String
    }

    package init(_ text: String) throws {
        let form = "the form is postgresql://USER@HOST:PORT/DATABASE or postgresql://USER@/DATABASE?host=/run/postgresql"
        guard let components = URLComponents(string: text), ["postgresql", "postgres"].contains(components.scheme ?? "") else {
            // Not echoed: a mistyped URL may hold a password.
            throw Problem(description: "--database is not a PostgreSQL URL: \(form)")
        }
        guard components.password == nil else {
            throw Problem(description: "--database must not hold the password (ps shows command lines to every user): "
                          + "put it in the environment as PGPASSWORD")
        }
        guard let user = components.user, !user.isEmpty else {
            throw Problem(description: "--database names no user: \(form)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw Problem(description: "--database names no database: \(form)")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        if let unknown = query.keys.sorted().first(where: { !["host", "sslmode"].contains($0) }) {
            throw Problem(description: "--database: \(unknown.prefix(40)) is not an option here (host and sslmode are)")
        }
        (self.user, self.database) = (user, database)
        if let directory = query["host"] {
            guard directory.hasPrefix("/"), components.host?.isEmpty ?? true else {
                throw Problem(description: "--database: host=\(directory.prefix(200)) must be the directory of "
                              + "PostgreSQL's socket (an absolute path), with no host before the database")
            }
            endpoint = .socket(path: directory + "/.s.PGSQL.\(components.port ?? 5432)")
        } else {
            guard let host = components.host, !host.isEmpty else { throw Problem(description: "--database names no host: \(form)") }
            endpoint = .tcp(host: host, port: components.port ?? 5432)
        }
        let local: Bool
        switch endpoint {
        case .socket: local = true
        case .tcp(let host, _): local = ["127.0.0.1", "::1", "localhost"].contains(host)
        }
        switch query["sslmode"] {
        case nil: security = local ? .disable : .require
        case let mode?:
            guard let chosen = Security(rawValue: mode) else {
                throw Problem(description: "--database: sslmode=\(mode.prefix(40)) is not disable or require")
            }
            security = chosen
        }
    }

    /// Without any secret: for messages.
    package var description: String {
        switch endpoint {
        case .tcp(let host, let port): "PostgreSQL database \(database) at \(host):\(port) as \(user)"
        case .socket(let path): "PostgreSQL database \(database) on the socket \(path) as \(user)"
        }
    }
}
