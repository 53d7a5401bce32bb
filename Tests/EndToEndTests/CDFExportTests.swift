import Foundation
import GRDB
import NazoratCore
import NazoratStore
import Testing

/// The event log as an election event log (NIST SP 1500-101): exported by nazoratctl from a
/// running daemon and by `nazoratd export-log` offline, then checked the way an auditor
/// without nazorat would (Tests/Support/cdf-check.py): the schema, and the hash chain
/// recomputed from the document alone, ending at the head verify-log vouches for.
@Suite struct CDFExportTests {
    private struct Summary: Decodable {
        var type: String
        var events: Int?
        var first: Int64?
        var last: Int64?
        var lastHash: String?
        var ids: [String]
        var types: [String]?
    }

    private static let schema = Paths.repository + "/Tests/Schema/election-event-logging.schema.json"

    /// Runs the auditor's check on `document`; its summary, exit status and complaints.
    private func audit(_ document: Data) throws -> (summary: Summary?, status: Int32, problems: String) {
        let path = try Paths.temporaryDirectory() + "/document.json"
        try document.write(to: URL(fileURLWithPath: path))
        let check = try runToCompletion("/usr/bin/python3", [Paths.repository + "/Tests/Support/cdf-check.py", Self.schema, path],
                                        environment: ["PATH": "/usr/bin:/bin"])
        return (try? JSONDecoder().decode(Summary.self, from: check.stdout), check.status, check.stderr)
    }

    private func exportOffline(_ database: String, after: Int64? = nil) throws -> Completed {
        try runToCompletion(Paths.nazoratd, ["export-log", "--db", database] + (after.map { ["--after", "\($0)"] } ?? []),
                            environment: [:])
    }

    @Test func aRunningStationsLogWithHostileStringsExportsValidAndItsChainRecomputes() async throws {
        try Users.ensure()
        let harness = try await ControlHarness()
        // A refused request whose percent-decoded path is a bidi override and a C1 CSI
        // (regression: recorded raw, and written raw to the export, found in review).
        #expect(try harness.request(as: Users.technician, "PUT", "/v1/scanners/%E2%80%AE%C2%9B2J/counters",
                                    json: "{}") == 403)
        try harness.testbed.add(try Paths.fixture("hostile-strings"))
        try await harness.daemon.waitForLine(containing: #"device added: 1-3 1234:5678 "Tab\there\nNew line\r\xff\xfe"#)
        try await harness.daemon.waitForLine(containing: "policy: 1-3 1234:5678")
        let export = try harness.nazoratctl(["export-log"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(!export.stdout.dropLast().contains { $0 < 0x20 || $0 == 0x7F }, "one line, no raw control byte")
        let text = String(decoding: export.stdout, as: UTF8.self)
        #expect(!text.unicodeScalars.contains { (0x80...0x9F).contains($0.value) || $0.properties.generalCategory == .format },
                "no C1 control, no bidi override")
        #expect(text.contains("control.denied"))
        let audited = try audit(export.stdout)
        #expect(audited.status == 0, "\(audited.problems)")
        let summary = try #require(audited.summary)
        let head = try #require(try StateStore(path: harness.directory + "/state/state.db", readOnly: true).head())
        #expect(summary.type == "EventLogging.ElectionEventLog" && summary.first == 1)
        #expect(summary.last == head.seq && summary.lastHash == head.hash && summary.events == Int(head.seq))
        #expect(summary.ids.contains("device.added") && summary.ids.contains("policy.decision"))
        #expect(try harness.nazoratctl(["verify-log"]).status == 0, "the head the export ends at is one verify-log vouches for")

        let later = try harness.nazoratctl(["export-log", "--after", "5"])
        let laterAudit = try audit(later.stdout)
        #expect(later.status == 0 && laterAudit.status == 0, "--after: the rest, still linked: \(laterAudit.problems)")
        #expect(laterAudit.summary?.first == 6 && laterAudit.summary?.last == head.seq)

        #expect(harness.daemon.stop(SIGTERM) == 0)
        let offline = try exportOffline(harness.directory + "/state/state.db")
        #expect(offline.status == 0 && offline.stderr.contains("events exported"))
        let offlineSummary = try #require(try audit(offline.stdout).summary)
        #expect(offlineSummary.first == 1 && offlineSummary.last ?? 0 > head.seq, "the stop was recorded after the online export")
    }

    @Test func badRequestsAreRefusedWithAReason() async throws {
        let harness = try await ControlHarness()
        let format = try harness.nazoratctl(["export-log", "--format", "xml"])
        #expect(format.status == 1 && format.stderr.contains("format must be cdf (400 bad-parameter)"), "\(format.stderr)")
        #expect(format.stdout.isEmpty)
        #expect(try harness.request("GET", "/v1/log/export?after=-1").status == 400)
        let offline = try runToCompletion(Paths.nazoratd, ["export-log", "--db", "/nonexistent/state.db"], environment: [:])
        #expect(offline.status != 0 && offline.stderr.contains("/nonexistent/state.db"), "\(offline.stderr)")
        try harness.checkAgainstOpenAPI()
    }

    /// One event of every type this version records, and one of a type only a later version
    /// knows, with a hostile device string in each message and payload.
    @Test func everyEventTypeExportsValid() async throws {
        let directory = try Paths.temporaryDirectory()
        let opened = try StateDirectory.open(directory: directory, station: "TSH-0042", now: TestTime.next())
        let log = try EventLog(store: opened.store, signer: opened.signer, queueLimit: 10,
                               clock: TestTime.next, onStorageChange: { _ in }, onCommitted: { _ in })
        let hostile = DeviceString(bytes: [0x1B, 0x5B, 0x32, 0x4A, 0xE2, 0x80, 0xAE, 0x0A, 0xFF]).escaped()
        var drafts = EventType.allCases.map { type in
            EventDraft(type: type, severity: .notice, subject: "1-3", message: "\(type.rawValue): \(hostile)",
                       payload: JSONText.encode(["product": hostile]), time: TestTime.next())
        }
        drafts.append(EventDraft(storedType: "future.event", severity: .info, subject: "daemon", message: "from later",
                                 payload: "{}", time: TestTime.next()))
        await log.record(.init(drafts: drafts))
        let export = try exportOffline(opened.store.path)
        #expect(export.status == 0, "\(export.stderr)")
        let audited = try audit(export.stdout)
        #expect(audited.status == 0, "\(audited.problems)")
        let summary = try #require(audited.summary)
        #expect(summary.ids == (EventType.allCases.map(\.rawValue) + ["future.event"]).sorted())
        let head = try opened.store.head()
        #expect(summary.last == Int64(drafts.count) && summary.lastHash == head?.hash)
    }

    @Test func anEmptyLogExportsAValidDocument() throws {
        let directory = try Paths.temporaryDirectory()
        let opened = try StateDirectory.open(directory: directory, station: "TSH-0042", now: TestTime.next())
        let export = try exportOffline(opened.store.path)
        let audited = try audit(export.stdout)
        #expect(export.status == 0 && audited.status == 0, "\(audited.problems)")
        #expect(audited.summary?.events == 0)
    }

    @Test func anEditedRowIsCaughtByTheAuditorsCheckAlone() async throws {
        let directory = try Paths.temporaryDirectory()
        let opened = try StateDirectory.open(directory: directory, station: "TSH-0042", now: TestTime.next())
        let log = try EventLog(store: opened.store, signer: opened.signer, queueLimit: 10,
                               clock: TestTime.next, onStorageChange: { _ in }, onCommitted: { _ in })
        await log.record(.init(drafts: (1...20).map { n in
            EventDraft(type: .deviceAdded, severity: .notice, subject: "1-\(n)", message: "event \(n)", payload: "{}",
                       time: TestTime.next())
        }))
        let queue = try DatabaseQueue(path: opened.store.path)
        try queue.inDatabase { try $0.execute(sql: "UPDATE events SET message = 'x' WHERE seq = 7") }
        let audited = try audit(try exportOffline(opened.store.path).stdout)
        #expect(audited.status == 1)
        #expect(audited.problems.contains("Sequence 7") && audited.problems.contains("Hash does not match"), "\(audited.problems)")
    }

    @Test func theDocumentationValidatesAndDescribesEveryEventTypeAndCategory() throws {
        let catalog = try runToCompletion(Paths.nazoratd, ["catalog", "--format", "cdf"], environment: [:])
        let audited = try audit(catalog.stdout)
        #expect(catalog.status == 0 && audited.status == 0, "\(audited.problems)")
        #expect(audited.summary?.type == "EventLogging.ElectionEventLogDocumentation")
        #expect(audited.summary?.ids == EventType.allCases.map(\.rawValue).sorted())
        #expect(audited.summary?.types == (EventCategory.allCases.map(\.rawValue) + ["other"]).sorted())
    }
}
