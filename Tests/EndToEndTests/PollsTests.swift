import Foundation
import NazoratTestbed
import Testing

/// Ballot counters and the polls phases, end to end: reports as the scanner software sends
/// them (raw PUTs), phase changes with nazoratctl, restarts and SIGKILLs in the middle.
@Suite(.serialized) struct PollsTests {
    private static let scanner1 = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.1"
    private static let scanner2 = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.2"

    /// A sealed station: two ballot scanners at 1-1.1 and 1-1.2, which have reported public
    /// counters of 0 (ready to open) when `zeroed`.
    private func sealedStation(zeroed: Bool = true) async throws -> ControlHarness {
        let harness = try await ControlHarness()
        #expect(try harness.request("POST", "/v1/seal").status == 200)
        if zeroed {
            #expect(try report(harness, "1-1.1", 0, 1000).status == 200)
            #expect(try report(harness, "1-1.2", 0, 1000).status == 200)
        }
        return harness
    }

    private func report(_ harness: ControlHarness, _ port: String, _ publicCount: Int, _ protective: Int) throws -> UnixHTTP.Response {
        try harness.request("PUT", "/v1/scanners/\(port)/counters", json: #"{"public": \#(publicCount), "protective": \#(protective)}"#)
    }

    private func code(_ response: UnixHTTP.Response) throws -> String? {
        (try response.json()["error"] as? [String: Any])?["code"] as? String
    }

    private func counters(_ harness: ControlHarness) throws -> [String: [String: Any]] {
        let list = try harness.request("GET", "/v1/counters").json()["scanners"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["port"] as? String ?? "", $0) })
    }

    @Test func everyTransitionAndTheSeverityOfAlarmsFollowingThePhase() async throws {
        let harness = try await sealedStation()
        #expect(try harness.nazoratctl(["polls"]).stdoutText == "polls setup\n")
        #expect(try harness.nazoratctl(["polls", "close"]).status == 1, "setup -> closed is refused")
        // An unsealed stick: a warning in setup...
        try harness.testbed.add(try Paths.fixture("usb-stick"))
        try await harness.daemon.waitForLine(containing: "alarm: device.unexpected at 1-3")
        func severity() throws -> String? {
            (try harness.request("GET", "/v1/alarms").json()["alarms"] as? [[String: Any]])?
                .first { $0["kind"] as? String == "device.unexpected" }?["severity"] as? String
        }
        #expect(try severity() == "warning")

        let open = try harness.nazoratctl(["polls", "open"])
        #expect(open.status == 0 && open.stdoutText == "polls open\n", "\(open.stderr)")
        #expect(try severity() == "error", "one step higher while the polls are open")
        #expect(try harness.events(ofType: "alarm.regraded").count == 1)
        #expect(try harness.request("POST", "/v1/polls/open").status == 409, "open -> open is refused")

        #expect(try harness.nazoratctl(["polls", "close"]).stdoutText == "polls closed\n")
        #expect(try severity() == "warning")
        #expect(try harness.request("POST", "/v1/polls/open").status == 409, "closed -> open is refused")
        let phases = try harness.events(ofType: "polls.opened").count + harness.events(ofType: "polls.closed").count
        #expect(phases == 2)
        #expect((try harness.request("GET", "/v1/status").json())["phase"] as? String == "closed")
        try harness.checkAgainstOpenAPI()
    }

    @Test func everyCounterAnomalyIsRefusedKeptAsEvidenceAndAlarmed() async throws {
        let harness = try await sealedStation(zeroed: false)
        #expect(try report(harness, "1-1.1", 5, 100).status == 200)
        let repeated = try report(harness, "1-1.1", 5, 100)
        let changed = try repeated.json()["changed"] as? Bool
        #expect(repeated.status == 200 && changed == false, "idempotent")
        #expect(try harness.events(ofType: "counters.reported").count == 1, "a repeat records nothing")

        #expect(try code(report(harness, "1-1.1", 4, 101)) == "counter.public-decreased")
        #expect(try code(report(harness, "1-1.1", 6, 99)) == "counter.protective-decreased")
        #expect(try code(report(harness, "1-2", 1, 1)) == "counter.unknown-scanner", "a keyboard is no scanner")
        #expect(try code(report(harness, "7-7", 1, 1)) == "counter.unknown-scanner")
        // The last good values stay current.
        #expect(try counters(harness)["1-1.1"]?["public"] as? Int == 5)
        #expect(try counters(harness)["1-1.1"]?["protective"] as? Int == 100)

        // A sealed scanner that is not connected.
        harness.testbed.uevent(Self.scanner2 + "/1-1.2:1.0", "remove")
        harness.testbed.uevent(Self.scanner2, "remove")
        harness.testbed.removeDevice(Self.scanner2)
        try await harness.daemon.waitForLine(containing: "alarm: device.missing at 1-1.2")
        #expect(try code(report(harness, "1-1.2", 1, 1)) == "counter.scanner-absent")

        // Open (by force: 1-1.1 shows 5 and 1-1.2 is missing): public restarts from 0,
        // protective is recorded; only ballot counts are shown.
        #expect(try harness.request("POST", "/v1/polls/open").status == 409)
        #expect(try harness.request("POST", "/v1/polls/open", json: #"{"force": {"reason": "test"}}"#).status == 200)
        #expect(try counters(harness)["1-1.1"]?["public"] as? Int == 0)
        #expect(try counters(harness)["1-1.1"]?["protective"] == nil, "hidden while open")
        #expect(try report(harness, "1-1.1", 3, 103).status == 200, "after the reset, a lower public count is fine")
        let status = try harness.request("GET", "/v1/status").json()
        let shown = try #require((status["counters"] as? [[String: Any]])?.first { $0["port"] as? String == "1-1.1" })
        #expect(shown["public"] as? Int == 3 && shown["protective"] == nil)
        #expect(try harness.nazoratctl(["counters"]).stdoutText.contains("1-1.1    3       (hidden)"))

        // Closed: final, and changes are refused.
        #expect(try harness.request("POST", "/v1/polls/close").status == 200)
        #expect(try code(report(harness, "1-1.1", 4, 104)) == "counter.after-close")
        #expect(try report(harness, "1-1.1", 3, 103).status == 200, "a repeat of the final values is harmless")
        #expect(try counters(harness)["1-1.1"]?["protective"] as? Int == 103)

        let anomalies = try harness.events(ofType: "counters.anomaly")
        #expect(anomalies.count == 6)
        let evidence = try #require(anomalies.first?["payload"] as? [String: Any])
        #expect((evidence["counters"] as? [String: Any])?["public"] as? Int == 4, "the suspicious values are kept")
        let alarmKinds = Set((try harness.request("GET", "/v1/alarms").json()["alarms"] as? [[String: Any]] ?? [])
            .compactMap { $0["kind"] as? String })
        #expect(alarmKinds.isSuperset(of: ["counter.public-decreased", "counter.protective-decreased",
                                           "counter.unknown-scanner", "counter.scanner-absent", "counter.after-close"]))
        try harness.checkAgainstOpenAPI()
    }

    @Test func totalsAreRefusedUntilThePollsCloseThenReported() async throws {
        let harness = try await sealedStation()
        let totals = #"{"contests": [{"contest": "president", "totals": {"A": 120, "B": 98}}]}"#
        #expect(try harness.request("POST", "/v1/polls/open").status == 200)
        #expect(try report(harness, "1-1.1", 218, 1218).status == 200)
        let early = try harness.request("POST", "/v1/results", json: totals)
        let earlyCode = try code(early)
        #expect(early.status == 409 && earlyCode == "conflict")
        #expect(try harness.events(ofType: "results.refused").count == 1)
        #expect(try harness.request("GET", "/v1/results").status == 409, "no final report before close")

        #expect(try harness.request("POST", "/v1/polls/close").status == 200)
        #expect(try harness.request("POST", "/v1/results", json: totals).status == 200)
        let final = try harness.request("GET", "/v1/results").json()
        let scanner = try #require((final["scanners"] as? [[String: Any]])?.first { $0["port"] as? String == "1-1.1" })
        #expect(scanner["public"] as? Int == 218 && scanner["protective"] as? Int == 1218)
        let contest = try #require((final["contests"] as? [[String: Any]])?.first)
        #expect((contest["totals"] as? [String: Any])?["A"] as? Int == 120)
        let view = try harness.nazoratctl(["results"])
        #expect(view.stdoutText.contains("1-1.1    218     1218") && view.stdoutText.contains("president"), "\(view.stdoutText)")
        let closed = try #require(try harness.events(ofType: "polls.closed").first?["message"] as? String)
        #expect(closed.contains("1-1.1 public 218 protective 1218"))
        try harness.checkAgainstOpenAPI()
    }

    @Test func aRestartInTheMiddleOfThePollsKeepsThePhaseAndTheCounters() async throws {
        let harness = try await sealedStation()
        #expect(try harness.request("POST", "/v1/polls/open").status == 200)
        #expect(try report(harness, "1-1.1", 40, 1040).status == 200)
        _ = harness.daemon.stop(SIGKILL)
        let restarted = try await harness.restart()
        defer { _ = restarted.stop(SIGKILL) }
        #expect(try harness.request("GET", "/v1/polls").json()["phase"] as? String == "open")
        #expect(try counters(harness)["1-1.1"]?["public"] as? Int == 40)
        #expect(try code(report(harness, "1-1.1", 39, 1041)) == "counter.public-decreased", "still no reset")
        #expect(try report(harness, "1-1.1", 41, 1041).status == 200)
    }

    @Test func noAcknowledgedReportIsLostToASIGKILL() async throws {
        let harness = try await sealedStation()
        var daemon = harness.daemon
        var acknowledged = 0
        var lastAttempted = 0
        for round in 0..<15 {
            // Report as fast as possible until the kill.
            let deadline = ContinuousClock.now + .milliseconds(Int.random(in: 50...300))
            let pid = daemon.process.processIdentifier
            let killer = Task.detached {
                try? await Task.sleep(until: deadline)
                kill(pid, SIGKILL)
            }
            while true {
                lastAttempted = acknowledged + 1
                guard let answer = try? report(harness, "1-1.1", lastAttempted, 1000 + lastAttempted) else { break }
                guard answer.status == 200 else { break }
                acknowledged = lastAttempted
            }
            await killer.value
            daemon = try await harness.restart()
            let stored = try #require(try counters(harness)["1-1.1"]?["public"] as? Int, "round \(round)")
            // Every acknowledged report survived; one more may have been written but not answered.
            #expect(stored == acknowledged || stored == lastAttempted, "round \(round): \(stored) vs \(acknowledged)")
            acknowledged = stored
        }
        #expect(acknowledged > 15, "reports were made between the kills")
        print("counter crash test: \(acknowledged) reports acknowledged across 15 SIGKILLs, none lost")
        let verify = try harness.nazoratctl(["verify-log"])
        #expect(verify.status == 0, "\(verify.stdoutText)")
        _ = daemon.stop(SIGKILL)
    }
}
