import Crypto
import Foundation
import GRDB
import NazoratCore
import NazoratTestbed
import Testing

/// The zero and closing reports end to end: the readiness refusal and the forced opening,
/// the receipt, and central checking each signed report against the chain it holds.
@Suite(.serialized) struct ZeroReportTests {
    private static let scanner2 = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.2"

    private func report(_ harness: ControlHarness, _ port: String, _ publicCount: Int, _ protective: Int) throws {
        let answer = try harness.request("PUT", "/v1/scanners/\(port)/counters",
                                         json: #"{"public": \#(publicCount), "protective": \#(protective)}"#)
        #expect(answer.status == 200)
    }

    private func code(_ response: UnixHTTP.Response) throws -> String? {
        (try response.json()["error"] as? [String: Any])?["code"] as? String
    }

    /// The receipt as nazoratctl prints it, after checking that it fits the printer.
    private func receipt(_ harness: ControlHarness, _ occasion: String) throws -> String {
        let printed = try harness.nazoratctl(["report", occasion])
        #expect(printed.status == 0, "\(printed.stderr)")
        for line in printed.stdoutText.split(separator: "\n") {
            #expect(line.count <= 42 && line.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }, "\(line)")
        }
        #expect(!printed.stdout.contains(0x1B), "no raw escape reaches the printer")
        return printed.stdoutText
    }

    @Test func aReadyStationOpensAndItsZeroReportSaysSo() async throws {
        let harness = try await ControlHarness()
        #expect(try harness.request("POST", "/v1/seal").status == 200)
        try report(harness, "1-1.1", 0, 1200)
        try report(harness, "1-1.2", 0, 800)
        #expect(try receipt(harness, "zero").contains("PREVIEW"))
        #expect(try harness.nazoratctl(["polls", "open"]).stdoutText == "polls open\n")
        let text = try receipt(harness, "zero")
        #expect(!text.contains("PREVIEW") && text.contains("\nREADY\n") && text.contains("verify-log   intact,"), "\(text)")
        let zero = try harness.request("GET", "/v1/reports/zero").json()
        #expect(zero["preview"] as? Bool == false && (zero["problems"] as? [Any])?.isEmpty == true)
        #expect((zero["scanners"] as? [[String: Any]])?.compactMap { $0["protective"] as? Int } == [1200, 800])
        #expect(try harness.events(ofType: "polls.zero-report").count == 1)
        #expect(try harness.events(ofType: "polls.open-refused").isEmpty)
        #expect(try harness.request("GET", "/v1/reports/closing").status == 409, "no closing report while open")
        try report(harness, "1-1.1", 218, 1418)
        #expect(try harness.request("POST", "/v1/polls/close").status == 200)
        let closing = try receipt(harness, "closing")
        #expect(closing.contains("CLOSING REPORT") && closing.contains("   ballots while open                  218"), "\(closing)")
        try harness.checkAgainstOpenAPI()
    }

    @Test func openingIsRefusedUntilReadyAndForcedOnlyByAnAdministratorWithAReason() async throws {
        try Users.ensure()
        let harness = try await ControlHarness()
        // A sealed device whose serial is an OSC 8 hyperlink with tabs and a newline.
        try harness.testbed.add(try Paths.fixture("escape-strings"))
        try await harness.daemon.waitForLine(containing: "policy: 1-3 1234:5679")
        #expect(try harness.request("POST", "/v1/seal").status == 200)
        try report(harness, "1-1.1", 5, 105)
        harness.testbed.uevent(Self.scanner2 + "/1-1.2:1.0", "remove")
        harness.testbed.uevent(Self.scanner2, "remove")
        harness.testbed.removeDevice(Self.scanner2)
        try await harness.daemon.waitForLine(containing: "alarm: device.missing at 1-1.2")

        let preview = try receipt(harness, "zero")
        #expect(preview.contains("PREVIEW") && preview.contains("NOT READY") && preview.contains(#""SN\t\x1b]8;;http:"#),
                "\(preview)")
        #expect(preview.contains(" 1-1.2 ballot-scanner") && preview.contains("MISSING"))
        let refused = try harness.request("POST", "/v1/polls/open")
        let message = (try refused.json()["error"] as? [String: Any])?["message"] as? String ?? ""
        let refusal = try code(refused)
        #expect(refused.status == 409 && refusal == "not-ready")
        #expect(message.contains("1-1.1 shows 5 on its public counter") && message.contains("1-1.2 (2c4e:0b01) is not connected"),
                "\(message)")
        #expect(try harness.request("GET", "/v1/polls").json()["phase"] as? String == "setup")
        #expect(try harness.events(ofType: "polls.open-refused").count == 1)

        #expect(try code(harness.request("POST", "/v1/polls/open", json: #"{"force": {}}"#)) == "bad-json")
        #expect(try code(harness.request("POST", "/v1/polls/open", json: #"{"force": {"reason": " \t\n"}}"#)) == "bad-reason")
        #expect(try harness.nazoratctl(["polls", "open", "--force"]).status != 0, "no force without --reason")
        #expect(try harness.request(as: Users.technician, "POST", "/v1/polls/open",
                                    json: #"{"force": {"reason": "technician"}}"#) == 403)
        let forced = try harness.nazoratctl(["polls", "open", "--force", "--reason", "scanner 2 at repair, minutes no. 7\u{1B}[2J"])
        #expect(forced.status == 0 && forced.stdoutText == "polls open\n", "\(forced.stderr)")

        let force = try #require(try harness.events(ofType: "polls.open-forced").first)
        let payload = try #require(force["payload"] as? [String: Any])
        #expect((payload["reason"] as? String)?.hasSuffix(#"minutes no. 7\x1b[2J"#) == true, "escaped as it was typed")
        #expect((payload["problems"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } == ["public-not-zero", "scanner-missing"])
        let zero = try harness.request("GET", "/v1/reports/zero").json()
        #expect((zero["force"] as? [String: Any])?["by"] as? String != nil && zero["preview"] as? Bool == false)
        let text = try receipt(harness, "zero")
        #expect(text.contains("NOT READY, OPENED BY FORCE") && text.contains("OPENED BY FORCE by uid 0"), "\(text)")
        let json = try harness.nazoratctl(["report", "zero", "--json"])
        #expect(try JSONSerialization.jsonObject(with: json.stdout) is [String: Any])
        try harness.checkAgainstOpenAPI()
    }

    @Test(arguments: CentralStoreKind.allCases)
    func centralVerifiesEachSignedReportAgainstTheChainAndShowsIt(_ store: CentralStoreKind) async throws {
        let central = try await CentralProcess(store: store)
        let harness = try await ControlHarness(extra: ControlHarness.uplink("http://127.0.0.1:\(central.port)"))
        let uplink = try harness.startUplink(enrollingAt: central)
        defer { _ = uplink.stop(SIGKILL) }
        // The clock is measured around a delivery and handed over with its acknowledgement.
        try await eventually("an acknowledged delivery") {
            let outbox = (try harness.request("GET", "/v1/status").json()["uplink"] as? [String: Any])?["outbox"]
            return (outbox as? [String: Any])?["acknowledgedThrough"] as? Int ?? 0 >= 2
        }
        #expect(try harness.request("POST", "/v1/seal").status == 200)
        try report(harness, "1-1.1", 0, 10)
        try report(harness, "1-1.2", 0, 20)
        #expect(try harness.request("POST", "/v1/polls/open").status == 200)
        #expect(try harness.request("POST", "/v1/polls/close").status == 200)
        try await eventually("both reports signed at central") {
            let station = try central.station("TEST-0006")
            return (station?["zeroReport"] as? [String: Any])?["signed"] as? Bool == true
                && (station?["closingReport"] as? [String: Any])?["signed"] as? Bool == true
        }
        let summary = try #require(try central.station("TEST-0006")?["zeroReport"] as? [String: Any])
        #expect(summary["ready"] as? Bool == true && summary["forced"] as? Bool == false)
        let whole = try UnixHTTP.request(port: central.port, "GET", "/v1/stations/TEST-0006/reports/zero").json()
        let zero = try #require(whole["report"] as? [String: Any])
        #expect(zero["station"] as? String == "TEST-0006" && zero["keyId"] as? String != nil)
        let clock = try #require(zero["clock"] as? [String: Any], "the uplink had measured the clock")
        #expect(abs(clock["offsetUsec"] as? Int ?? .max) < 5_000_000)
        #expect(try UnixHTTP.request(port: central.port, "GET", "/v1/stations/TEST-0006/reports/other").status == 404)
        // The report is looked up for the one station asked about: one not enrolled, or an id
        // no registry could hold (a NUL, which PostgreSQL would refuse), is a plain 404.
        for absent in ["TEST-0007", "TEST%000006"] {
            let answer = try UnixHTTP.request(port: central.port, "GET", "/v1/stations/\(absent)/reports/zero")
            let code = (try answer.json()["error"] as? [String: Any])?["code"] as? String
            #expect(answer.status == 404 && code == "not-found", "\(absent)")
        }
        #expect(try central.rejections().isEmpty)

        // With the station's own key: a report that differs from the chained event (one
        // protective counter), and one naming an event central never received as a report's.
        _ = uplink.stop(SIGKILL)
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: try Data(
            contentsOf: URL(fileURLWithPath: harness.directory + "/state/station.key")).prefix(32))
        let next = try central.acceptedSeq("TEST-0006") + 1
        let eventSeq = try #require(whole["eventSeq"] as? Int)
        var report = try JSONDecoder().decode(PollsReport.self, from: JSONSerialization.data(withJSONObject: zero))
        report.scanners[0].protective = 11
        func signed(_ report: PollsReport, event: Int, hash: String, kind: String = "zero-report") throws -> Any {
            var payload = PollsReportPayload(station: "TEST-0006", seq: Int64(next), createdUsec: 0,
                                             event: LogHead(seq: Int64(event), hash: hash), report: report)
            payload.kind = kind
            let envelope = Envelope.sign(type: EnvelopeHeader.payloadType(kind: kind),
                                         payload: Array(JSONText.encode(payload).utf8), key: key)
            return try JSONSerialization.jsonObject(with: JSONEncoder().encode(envelope))
        }
        let hash = try #require(whole["eventHash"] as? String)
        #expect(try code(central.post([signed(report, event: eventSeq, hash: hash)])) == "conflict")
        #expect(try code(central.post([signed(report, event: 1, hash: hash)])) == "chain-broken")
        let genuine = try JSONDecoder().decode(PollsReport.self, from: JSONSerialization.data(withJSONObject: zero))
        #expect(try code(central.post([signed(genuine, event: eventSeq, hash: hash, kind: "closing-report")])) == "conflict",
                "a zero report in a closing-report envelope")
        #expect(try central.rejections() == ["conflict", "chain-broken", "conflict"])
        #expect(try central.acceptedSeq("TEST-0006") == next - 1)
    }

    @Test func aCentralUpgradedAfterItsStationsFindsTheReportInTheEventsItStored() async throws {
        let first = try await CentralProcess()
        let harness = try await ControlHarness(extra: ControlHarness.uplink("http://127.0.0.1:\(first.port)"))
        let uplink = try harness.startUplink(enrollingAt: first)
        defer { _ = uplink.stop(SIGKILL) }
        #expect(try harness.request("POST", "/v1/seal").status == 200)
        try report(harness, "1-1.1", 0, 10)
        try report(harness, "1-1.2", 0, 20)
        #expect(try harness.request("POST", "/v1/polls/open").status == 200)
        try await eventually("the zero report signed at central") {
            (try first.station("TEST-0006")?["zeroReport"] as? [String: Any])?["signed"] as? Bool == true
        }
        _ = uplink.stop(SIGKILL)
        _ = first.process.stop(SIGKILL)
        // Central as it was before it kept reports: the events are stored, the report's
        // envelope was refused as an unknown kind and comes again.
        let database = try DatabaseQueue(path: first.directory + "/central.db")
        let (envelope, seq) = try await database.write { db -> (String, Int) in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT envelope, seq FROM envelopes WHERE kind = 'zero-report'"))
            let (text, seq): (String, Int) = (row["envelope"], row["seq"])
            try db.execute(sql: "DELETE FROM reports")
            try db.execute(sql: "DELETE FROM envelopes WHERE seq >= ?", arguments: [seq])
            try db.execute(sql: "UPDATE stations SET accepted_seq = ?", arguments: [seq - 1])
            return (text, seq)
        }
        let upgraded = try await CentralProcess(directory: first.directory)
        let answer = try upgraded.post([try JSONSerialization.jsonObject(with: Data(envelope.utf8))])
        let accepted = try answer.json()["accepted"] as? Int
        #expect(answer.status == 200 && accepted == seq, "\(answer.text)")
        let summary = try #require(try upgraded.station("TEST-0006")?["zeroReport"] as? [String: Any])
        #expect(summary["signed"] as? Bool == true && summary["ready"] as? Bool == true)
    }
}
