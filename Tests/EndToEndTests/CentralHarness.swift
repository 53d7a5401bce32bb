import Foundation
import GRDB
import NazoratTestbed
import Testing

/// The two stores central runs on: SQLite in its state directory, or a database of its own
/// on the PostgreSQL server `make test` started.
enum CentralStoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// nazorat-central as a child process on a loopback port, its database read directly.
final class CentralProcess {
    let directory: String
    let port: Int
    let process: RunningProcess
    /// The PostgreSQL database, when it runs on one.
    let postgres: String?

    /// Starts central on `port` (0: any free port) with `extra` arguments (TLS), on SQLite in
    /// `directory` or on PostgreSQL: in `sharing`'s database if given (a second process), or
    /// in a new one.
    init(store: CentralStoreKind = .sqlite, directory: String? = nil, port: Int = 0, grace: Int = 4, extra: [String] = [],
         sharing: CentralProcess? = nil) async throws {
        self.directory = try directory ?? Paths.temporaryDirectory()
        postgres = try sharing?.postgres ?? (store == .postgres ? TestPostgres.createDatabase() : nil)
        let storeArguments = try postgres.map { ["--database", try TestPostgres.url($0)] } ?? ["--state-dir", self.directory]
        self.storeArguments = storeArguments
        process = try RunningProcess(Paths.products + "/nazorat-central", [
            "--listen", "127.0.0.1:\(port)", "--heartbeat-interval", "1", "--grace", "\(grace)", "--grace-open", "4",
        ] + storeArguments + extra, environment: [:])
        try await process.waitForLine(containing: "nazorat-central listening on")
        let line = try #require(await process.lines.elements.first { $0.contains("listening on") })
        let match = try #require(line.firstMatch(of: /127\.0\.0\.1:(\d+)/))
        self.port = try #require(Int(match.1))
    }

    /// `--state-dir DIR` or `--database URL`, for its subcommands.
    let storeArguments: [String]

    deinit {
        _ = process.stop(SIGKILL)
    }

    func enroll(_ station: String, key: String) throws {
        let result = try runToCompletion(Paths.products + "/nazorat-central",
                                         ["enroll"] + storeArguments + [station, key], environment: [:])
        try #require(result.status == 0, "\(result.stderr)")
    }

    /// The station as `GET /v1/stations` shows it (plain HTTP only).
    func station(_ id: String) throws -> [String: Any]? {
        let stations = try UnixHTTP.request(port: port, "GET", "/v1/stations").json()["stations"] as? [[String: Any]]
        return stations?.first { $0["station"] as? String == id }
    }

    /// Straight from central.db (also for TLS runs): accepted seq, event head, rejections.
    func database() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: directory + "/central.db", configuration: configuration)
    }

    /// The first column of each row `sql` selects, as text, from either store.
    func column(_ sql: String) throws -> [String] {
        if let postgres { return try TestPostgres.psql(database: postgres, sql).split(separator: "\n").map(String.init) }
        // GRDB reads any column as text (sqlite3_column_text), integers too.
        return try database().read { db in try String.fetchAll(db, sql: sql) }
    }

    func acceptedSeq(_ station: String) throws -> Int {
        try column("SELECT accepted_seq FROM stations WHERE station = '\(station)'").first.flatMap { Int($0) } ?? 0
    }

    func rejections() throws -> [String] {
        try column("SELECT reason FROM rejections ORDER BY id")
    }

    /// Central holds everything the station made: every envelope, every event, each once.
    func caughtUp(with harness: ControlHarness, station: String) async throws {
        try await eventually("central caught up") {
            let heads = try harness.heads()
            let accepted = try acceptedSeq(station)
            let events = try column("SELECT event_seq FROM stations WHERE station = '\(station)'").first.flatMap { Int($0) }
            let outbox = try harness.request("GET", "/v1/outbox").json()["envelopes"] as? [Any]
            return accepted >= heads.envelope && events == heads.event && outbox?.isEmpty == true
        }
        // Once each, in order.
        let seqs = try column("SELECT seq FROM envelopes WHERE station = '\(station)' ORDER BY received_usec, seq")
            .compactMap { Int($0) }
        #expect(seqs == Array(1...seqs.count), "each envelope once, in seq order")
    }

    /// POSTs `envelopes` (JSON objects) to central.
    func post(_ envelopes: [Any]) throws -> UnixHTTP.Response {
        let body = try JSONSerialization.data(withJSONObject: ["envelopes": envelopes])
        return try UnixHTTP.request(port: port, "POST", "/v1/envelopes", body: body)
    }
}

/// Waits, checking every 100 ms, until `condition` holds (external processes: no event to wait on).
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? condition()) == true { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}

extension ControlHarness {
    /// The [uplink] table for central at `url`.
    static func uplink(_ url: String, extra: String = "") -> String {
        "[uplink]\nurl = \"\(url)\"\nheartbeat-interval = 1\n" + extra
    }

    /// Enrolls this station at `central` and starts nazorat-uplink on this configuration.
    func startUplink(enrollingAt central: CentralProcess?) throws -> RunningProcess {
        if let central {
            let key = try #require(try request("GET", "/v1/key").json()["publicKey"] as? String)
            try central.enroll("TEST-0006", key: key)
        }
        return try RunningProcess(Paths.products + "/nazorat-uplink", ["--config", config], environment: [:])
    }

    /// Plugs and unplugs the stick `times` times: events to deliver.
    func churn(times: Int) async throws {
        let stick = try Paths.fixture("usb-stick")
        for _ in 0..<times {
            try testbed.add(stick)
            try await Task.sleep(for: .milliseconds(150))
            testbed.unplug(stick)
            try await Task.sleep(for: .milliseconds(150))
        }
    }

    /// The last envelope seq the outbox gave, and the event log's head.
    func heads() throws -> (envelope: Int, event: Int) {
        let status = try request("GET", "/v1/status").json()
        let uplink = status["uplink"] as? [String: Any]
        let outbox = uplink?["outbox"] as? [String: Any]
        let envelope = (outbox?["lastSeq"] as? Int) ?? (outbox?["acknowledgedThrough"] as? Int) ?? 0
        return (envelope, ((status["log"] as? [String: Any])?["seq"] as? Int) ?? 0)
    }
}
