import FoundationEssentials
import Logging
import NazoratAPI
import NazoratCore
import NazoratHTTP
import NIOCore

/// nazorat-central, the reference receiver: its database and its HTTP(S) server.
package enum Central {
    /// The embedded store in `stateDirectory` (made if need be, unless `existing`).
    package static func sqlite(stateDirectory: String, existing: Bool = false) throws -> any CentralDatabase {
        guard !existing || FileManager.default.fileExists(atPath: stateDirectory + "/central.db") else {
            throw CentralError(message: "\(stateDirectory) holds no central.db: is --state-dir the one central serves "
                               + "from? (nazorat-central enroll creates it)")
        }
        return try SQLiteStore.open(stateDirectory: stateDirectory)
    }

    /// Enrolls `station` with its public key (base64, as `nazoratd key` prints it); a station
    /// enrolled before keeps its region, district and name.
    package static func enroll(_ database: any CentralDatabase, station: String, publicKey: String) async throws -> Enrolment {
        if let problem = RegistryRules.stationProblem(station) ?? RegistryRules.keyProblem(publicKey) {
            throw CentralError(message: problem)
        }
        let entry = RegistryFile.Entry(station: station, region: "unassigned", district: "unassigned", name: "",
                                       publicKey: RegistryRules.canonicalKey(publicKey), line: 0)
        do {
            return try await database.enroll([entry], keepPlaces: true, now: nowUsec())
        } catch let problems as RegistryFile.Problems {
            throw CentralError(message: problems.list.map(\.message).joined(separator: "\n"))
        }
    }

    /// Enrolls the national list in the CSV file at `path` (``RegistryFile``), all or nothing:
    /// every bad line is named in the error and nothing is enrolled. `progress` hears the
    /// stations done and their number.
    package static func enroll(_ database: any CentralDatabase, csv path: String,
                               progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Enrolment {
        guard FileManager.default.fileExists(atPath: path) else { throw CentralError(message: "\(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CentralError(message: "\(path): cannot be read; check its permissions")
        }
        let bytes = Array(data)
        func refusal(_ found: RegistryFile.Problems) -> CentralError {
            let problems = found.list
            let shown = problems.prefix(20).map { "\(path):\($0.line): \($0.message)" }
            let more = problems.count > 20 ? ["... and \(problems.count - 20) more lines with problems"] : []
            let lines: [String] = shown + more + ["nothing was enrolled: correct the file and enroll it again"]
            return CentralError(message: lines.joined(separator: "\n"))
        }
        switch RegistryFile.parse(bytes) {
        case .failure(let found):
            throw refusal(found)
        case .success(let file):
            let total = file.entries.count
            do {
                return try await database.enroll(file.entries, keepPlaces: false, now: nowUsec(),
                                                 progress: { progress?($0, total) })
            } catch let found as RegistryFile.Problems {
                throw refusal(found)
            }
        }
    }

    /// Creates or replaces the dashboard account `name` (a new password ends its sessions).
    package static func setAccount(_ database: any CentralDatabase, name: String, role: DashboardRole,
                                   password: String) async throws {
        if let problem = RegistryRules.stationProblem(name) {
            throw CentralError(message: "account name: " + problem.replacingOccurrences(of: "station id", with: "name"))
        }
        guard password.count >= DashboardAuth.passwordMinimum else {
            throw CentralError(message: "the password must have at least \(DashboardAuth.passwordMinimum) characters")
        }
        try await database.write(DashboardSQL.setAccount(name, role: role, passwordHash: try await DashboardAuth.hash(password),
                                                         now: nowUsec()))
    }

    /// Disables the dashboard account `name` and ends its sessions.
    package static func disableAccount(_ database: any CentralDatabase, name: String) async throws {
        let known = RegistryRules.stationProblem(name) == nil
            ? try await database.read(SQLStatement("SELECT name FROM accounts WHERE name = ?", [.text(name)])) { !$0.isEmpty } : false
        guard known else { throw CentralError(message: "there is no account \(DeviceString(name).escaped(limit: 64))") }
        try await database.write(DashboardSQL.disable(name, now: nowUsec()))
    }

    /// Retires `station`: central refuses its envelopes from now on and keeps what it sent.
    package static func retire(_ database: any CentralDatabase, station: String) async throws {
        guard try await database.retire(station: station, now: nowUsec()) else {
            throw CentralError(message: "station \(DeviceString(station).escaped(limit: 64)) is not enrolled")
        }
    }

    /// Listens on `host:port` (TLS through `secure`, from `CentralTLS`, which only loopback
    /// may go without) and serves until graceful shutdown. Returns the server (its port, when
    /// 0 was asked for).
    package static func server(host: String, port: Int, database: any CentralDatabase,
                               secure: (@Sendable (any Channel) throws -> Void)?, liveness: Liveness,
                               dashboardTick: Duration = .seconds(2), logger: Logger) async throws -> ControlServer {
        guard secure != nil || ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw CentralError(message: "plain HTTP only on loopback: give --tls-cert and --tls-key to listen on \(host)")
        }
        let dashboard = DashboardRoutes(
            auth: DashboardAuth(database: database, now: nowUsec, secure: secure != nil, logger: logger),
            feed: DashboardFeed(database: database, liveness: liveness, now: nowUsec, tick: dashboardTick, logger: logger),
            database: database, liveness: liveness, now: nowUsec, logger: logger)
        let routes = CentralRoutes(store: database, receiver: Receiver(database: database, logger: logger), liveness: liveness,
                                   now: nowUsec, logger: logger, dashboard: dashboard)
        return try await ControlServer.bind(.tcp(host: host, port: port), router: routes.route, logger: logger,
                                            bodyLimit: 32 << 20, requestTimeout: .seconds(120), secure: secure)
    }

    @Sendable package static func nowUsec() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1_000_000)
    }
}

/// A startup error of nazorat-central.
public struct CentralError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    package init(message: String) {
        self.message = message
    }
}
