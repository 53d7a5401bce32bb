import Foundation
import NazoratTestbed
import Synchronization
import Testing

/// The national store: two nazorat-central processes on one PostgreSQL database, and the
/// database going away and coming back under load.
@Suite(.serialized) struct PostgresCentralTests {
    private let station = "TEST-0006"

    /// The outbox's first `count` envelopes (JSON objects), once the station made them.
    private func envelopes(_ harness: ControlHarness, count: Int) async throws -> [Any] {
        try await harness.churn(times: 3)
        try await eventually("\(count) envelopes") {
            (try harness.request("GET", "/v1/outbox").json()["envelopes"] as? [Any])?.count ?? 0 >= count
        }
        let items = try harness.request("GET", "/v1/outbox").json()["envelopes"] as? [[String: Any]] ?? []
        return Array(items.compactMap { $0["envelope"] }.prefix(count))
    }

    @Test func twoCentralProcessesReceiveOneStationAlternatelyWithoutGapDuplicateOrConflict() async throws {
        let a = try await CentralProcess(store: .postgres)
        let b = try await CentralProcess(sharing: a)
        let harness = try await ControlHarness(extra: ControlHarness.uplink("http://127.0.0.1:\(a.port)/v1/envelopes"))
        let key = try #require(try harness.request("GET", "/v1/key").json()["publicKey"] as? String)
        try a.enroll(station, key: key)
        let sent = try await envelopes(harness, count: 8)
        #expect(try sent.count == 8 && a.column("SELECT kind FROM envelopes").isEmpty)

        // The same batch at both at once (an uplink that failed over while the first still
        // worked on it): psql holds the station's row until both processes wait for it, then
        // lets go; one takes the batch, the other finds repeats.
        let database = try #require(a.postgres)
        let locker = try RowLock(database: database, station: station)
        let batch = try JSONSerialization.data(withJSONObject: ["envelopes": Array(sent[0..<3])])
        let answers = Mutex<[UnixHTTP.Response]>([])
        for port in [a.port, b.port] {
            Thread.detachNewThread {
                if let answer = try? UnixHTTP.request(port: port, "POST", "/v1/envelopes", body: batch) {
                    answers.withLock { $0.append(answer) }
                }
            }
        }
        try await eventually("both processes waiting for the station's lock") {
            try TestPostgres.psql(database: database, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                .trimmingCharacters(in: .whitespacesAndNewlines) == "2"
        }
        #expect(answers.withLock { $0.isEmpty }, "neither answered while the station was locked")
        try locker.release()
        try await eventually("both answers") { answers.withLock { $0.count } == 2 }
        let (one, other) = try #require(answers.withLock { $0.count == 2 ? ($0[0], $0[1]) : nil })
        #expect(one.status == 200 && other.status == 200)
        #expect(try one.json()["accepted"] as? Int == 3 && other.json()["accepted"] as? Int == 3)
        let repeats = try (one.json()["duplicates"] as? Int ?? 0) + (other.json()["duplicates"] as? Int ?? 0)
        #expect(repeats == 3, "three envelopes, each accepted once")

        // Alternately, with a retry to the other receiver of what the first took.
        for (central, range) in [(b, 3..<4), (a, 3..<5), (b, 5..<6), (a, 6..<7), (b, 6..<8)] {
            let answer = try central.post(Array(sent[range]))
            #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
            #expect(try answer.json()["accepted"] as? Int == range.upperBound)
        }
        for central in [a, b] {
            let view = try #require(try central.station(station))
            #expect(view["acceptedSeq"] as? Int == 8, "both processes see one station")
        }
        #expect(try a.column("SELECT seq FROM envelopes ORDER BY seq") == (1...8).map(String.init), "each once")
        #expect(try a.rejections().isEmpty, "no gap, no conflict")
    }

    @Test func postgresRestartedUnderLoadIsA503StorageAndNothingAcceptedIsLost() async throws {
        try await outageUnderLoad(begin: "stop", end: "start")
    }

    /// Regression: central had waited for a query in flight to end before answering 503, and
    /// a server that holds its connections without answering never ends one (once in CI, with
    /// a server that was stopping). Frozen, it holds every pooled connection's next query.
    @Test func aPostgresThatStopsAnsweringIsA503StorageAtTheDeadlineAndNothingAcceptedIsLost() async throws {
        try await outageUnderLoad(begin: "freeze", end: "thaw")
    }

    /// The uplink delivering and a load beside it; PostgreSQL's outage (`begin`, a verb of
    /// postgres.sh) must be answered 503 `storage`, and after `end` all arrives, once.
    private func outageUnderLoad(begin: String, end: String) async throws {
        let central = try await CentralProcess(store: .postgres)
        let harness = try await ControlHarness(extra: ControlHarness.uplink("http://127.0.0.1:\(central.port)/v1/envelopes"))
        let uplink = try harness.startUplink(enrollingAt: central)
        defer { _ = uplink.stop(SIGKILL) }
        try await eventually("deliveries") { try central.acceptedSeq(station) >= 2 }
        let accepted = try central.acceptedSeq(station)
        let first = try #require(try central.column("SELECT envelope FROM envelopes WHERE seq = 1").first)
        let load = ReplayLoad(port: central.port, body: Data(#"{"envelopes":[\#(first)]}"#.utf8))
        defer { load.stop() }
        try await eventually("answers under load") { load.answers.count >= 20 }

        try TestPostgres.server(begin)
        defer { try? TestPostgres.server(end) }
        // Any answer after the outage began (one in flight then may still be a 200).
        let before = load.answers.count
        do {
            try await eventually("503 storage while PostgreSQL is away") { load.answers[before...].contains("503 storage") }
        } catch {
            let said = await central.process.lines.elements.suffix(20).joined(separator: "\n")
            Issue.record("the answers since the outage began: \(load.answers[before...].suffix(8)); central said:\n\(said)")
            throw error
        }
        try await harness.churn(times: 3)
        try TestPostgres.server(end)
        try await central.caughtUp(with: harness, station: station)
        load.stop()

        #expect(Set(load.answers).isSubset(of: ["200 ", "503 storage"]), "\(Set(load.answers))")
        #expect(try central.acceptedSeq(station) > accepted, "what came during the outage arrived after it")
        #expect(try central.rejections().isEmpty)
    }
}

/// The same batch posted again and again on a thread of its own, each answer kept as
/// "STATUS CODE" ("no answer" when the request failed: refused, or no answer in 30 s).
private final class ReplayLoad: Sendable {
    private let state = Mutex((answers: [String](), stopped: false))

    init(port: Int, body: Data) {
        Thread { [self] in
            while !state.withLock({ $0.stopped }) {
                let answer = (try? UnixHTTP.request(port: port, "POST", "/v1/envelopes", body: body)).map { response in
                    "\(response.status) " + (((try? response.json())?["error"] as? [String: Any])?["code"] as? String ?? "")
                } ?? "no answer"
                state.withLock { $0.answers.append(answer) }
            }
        }.start()
    }

    var answers: [String] { state.withLock { $0.answers } }

    func stop() { state.withLock { $0.stopped = true } }
}

/// psql holding a station's row (`SELECT … FOR UPDATE` in an open transaction) until released.
private final class RowLock {
    private let process = Process()
    private let input = Pipe()

    init(database: String, station: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-h", try TestPostgres.socketDirectory(), "-U", "postgres", "-d", database, "-q",
                             "-v", "ON_ERROR_STOP=1"]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("BEGIN; SELECT 1 FROM stations WHERE station = '\(station)' FOR UPDATE;\n".utf8))
        let held = Date().addingTimeInterval(30)
        while Date() < held {
            let idle = try TestPostgres.psql(database: database,
                                             "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'")
            if idle.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestPostgres.Unavailable(description: "psql did not take the station's lock")
    }

    func release() throws {
        input.fileHandleForWriting.write(Data("COMMIT;\n".utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
