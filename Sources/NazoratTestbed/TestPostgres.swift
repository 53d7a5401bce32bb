import Foundation
import Glibc

/// The PostgreSQL server `make test` starts for the run (Tests/Support/postgres.sh run):
/// a database of its own for each test, and the outage a test can cause.
public enum TestPostgres {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
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

    /// Stops, starts, restarts, freezes or thaws the server (Tests/Support/postgres.sh).
    public static func server(_ verb: String) throws {
        _ = try socketDirectory()
        _ = try run(Repository.root + "/Tests/Support/postgres.sh", [verb])
    }

    /// Runs `executable` to its end, its output through a file: not Foundation's Process,
    /// whose wait left a child unreaped and the test waiting once the server it started
    /// (pg_ctl's daemon) outlived it.
    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.path + "/nazorat-psql-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        // Not the test's environment: a server restarted from here must not run under the
        // test's LD_PRELOAD (the fault shim, umockdev) or its umockdev directory.
        let clean = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "NAZORAT_TEST_POSTGRES=\(try socketDirectory())"]
        let envp = clean.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Unavailable(description: "\(executable) cannot be started: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS, which Swift does not import.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw Unavailable(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}
