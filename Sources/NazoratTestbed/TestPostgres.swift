import Foundation

/// The PostgreSQL server `make test` starts for the run (Tests/Support/postgres.sh run):
/// a database of its own for each test, and the outage a test can cause.
public enum TestPostgres {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The directory of the server's socket, from `NAZORAT_TEST_POSTGRES`.
    public static func socketDirectory() throws -> String {
        guard let directory = ProcessInfo.processInfo.environment["NAZORAT_TEST_POSTGRES"], !directory.isEmpty else {
            throw Unavailable(description: "NAZORAT_TEST_POSTGRES is not set: run the tests with `make test`, or under "
                              + "Tests/Support/postgres.sh run swift test ..., which starts PostgreSQL for them")
        }
        return directory
    }

    /// A new, empty database; its name.
    public static func createDatabase() throws -> String {
        let name = "nazorat_\(UInt64.random(in: 0...UInt64.max))"
        _ = try psql(database: "postgres", "CREATE DATABASE \(name)")
        return name
    }

    /// `--database` for `name`: the superuser over the server's socket.
    public static func url(_ name: String) throws -> String {
        "postgresql://postgres@/\(name)?host=\(try socketDirectory())"
    }

    /// What `sql` prints in psql's unaligned, tuples-only form (one row per line, `|` between columns).
    public static func psql(database: String, _ sql: String) throws -> String {
        try run("/usr/bin/psql", ["-h", try socketDirectory(), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1",
                                  "-Atc", sql])
    }

    /// Stops, starts or restarts the server (Tests/Support/postgres.sh).
    public static func server(_ verb: String) throws {
        _ = try socketDirectory()
        _ = try run(Repository.root + "/Tests/Support/postgres.sh", [verb])
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Small outputs (a few rows): the pipes cannot fill before the child ends.
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Unavailable(description: "\(executable) \(arguments.joined(separator: " ")) failed: "
                              + String(decoding: error, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self)
    }
}
