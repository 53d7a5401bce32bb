import ArgumentParser
import Foundation
import Logging
import NazoratCentral
import NazoratCentralPostgres

/// Which store central uses: the embedded SQLite file in `--state-dir` (one process, a
/// laptop, a regional office), or the national PostgreSQL database in `--database` that
/// several central processes share. One of the two.
struct StoreOptions: ParsableArguments {
    @Option(help: "Where central.db lives (the embedded store).")
    var stateDir: String?
    @Option(help: ArgumentHelp(
        "The PostgreSQL database instead: postgresql://USER@HOST:PORT/DATABASE[?sslmode=require|disable] or "
            + "postgresql://USER@/DATABASE?host=SOCKET-DIRECTORY.",
        discussion: "The password comes from the environment's PGPASSWORD, never from the command line. TLS is "
            + "required over TCP unless the host is loopback or sslmode=disable says otherwise."))
    var database: String?

    func validate() throws {
        guard (stateDir == nil) != (database == nil) else {
            throw ValidationError("give either --state-dir DIR (the embedded store) or --database URL (PostgreSQL)")
        }
        if let database {
            do { _ = try DatabaseURL(database) } catch let problem as DatabaseURL.Problem {
                throw ValidationError(problem.description)
            }
        }
    }

    /// The store; `existing`: a state directory must hold central.db already.
    func open(existing: Bool = false, logger: Logger = Logger(label: "nazorat-central")) async throws -> any CentralDatabase {
        if let stateDir { return try Central.sqlite(stateDirectory: stateDir, existing: existing) }
        return try await PostgresStore.open(try DatabaseURL(database ?? ""),
                                            password: ProcessInfo.processInfo.environment["PGPASSWORD"], logger: logger)
    }

    /// `body` with the store open, closed after it whatever the outcome.
    func withDatabase<Result>(existing: Bool = false, _ body: (any CentralDatabase) async throws -> Result) async throws -> Result {
        let database = try await open(existing: existing)
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}
