import Foundation
import GRDB
import Testing

/// nazorat-central as a child process on a loopback port, its database read directly.
final class CentralProcess {
    let directory: String
    let port: Int
    let process: RunningProcess

    /// Starts central on `port` (0: any free port) with `extra` arguments (TLS).
    init(directory: String? = nil, port: Int = 0, extra: [String] = []) async throws {
        self.directory = try directory ?? Paths.temporaryDirectory()
        process = try RunningProcess(Paths.products + "/nazorat-central", [
            "--listen", "127.0.0.1:\(port)", "--state-dir", self.directory, "--heartbeat-interval", "1",
            "--grace", "4", "--grace-open", "4",
        ] + extra, environment: [:])
        try await process.waitForLine(containing: "nazorat-central listening on")
        let line = try #require(await process.lines.elements.first { $0.contains("listening on") })
        let match = try #require(line.firstMatch(of: /127\.0\.0\.1:(\d+)/))
        self.port = try #require(Int(match.1))
    }

    deinit {
        _ = process.stop(SIGKILL)
    }

    func enroll(_ station: String, key: String) throws {
        let result = try runToCompletion(Paths.products + "/nazorat-central",
                                         ["enroll", "--state-dir", directory, station, key], environment: [:])
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

    func acceptedSeq(_ station: String) throws -> Int {
        try database().read { try Int.fetchOne($0, sql: "SELECT accepted_seq FROM stations WHERE station = ?", arguments: [station]) } ?? 0
    }

    func rejections() throws -> [String] {
        try database().read { try String.fetchAll($0, sql: "SELECT reason FROM rejections ORDER BY id") }
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

    /// The last envelope seq the outbox gave, and the event log's head.
    func heads() throws -> (envelope: Int, event: Int) {
        let status = try request("GET", "/v1/status").json()
        let uplink = status["uplink"] as? [String: Any]
        let outbox = uplink?["outbox"] as? [String: Any]
        let envelope = (outbox?["lastSeq"] as? Int) ?? (outbox?["acknowledgedThrough"] as? Int) ?? 0
        return (envelope, ((status["log"] as? [String: Any])?["seq"] as? Int) ?? 0)
    }
}
