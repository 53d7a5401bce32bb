import Foundation
import GRDB
import NazoratTestbed
import Testing

/// A start verifies the log from its last signed checkpoint; the whole log is verified after
/// READY=1 (LogAuditService), and verify-log shows its progress only on a terminal.
@Suite(.serialized) struct LogAuditTests {
    /// nazoratd started as `station` on a fresh simulated station (kept alive by the caller),
    /// with its configuration and state directory.
    private func start(_ station: String) throws
        -> (testbed: Testbed, daemon: RunningProcess, configuration: String, state: String) {
        let testbed = try Paths.station()
        let state = try Paths.temporaryDirectory() + "/state"
        let configuration = try Paths.writeConfig(station: station, stateDirectory: state)
        return (testbed, try RunningProcess(Paths.nazoratd, ["--config", configuration], environment: testbed.childEnvironment),
                configuration, state)
    }

    /// A clean stop signs a checkpoint at the head, so an event damaged afterwards lies before
    /// the checkpoint the next start verifies from: the daemon starts on the database (it is
    /// not moved aside), and the audit after READY raises the critical alarm.
    @Test func aDamagedOldEventRaisesTheAlarmAfterReady() async throws {
        let (testbed, first, configuration, stateDirectory) = try start("AUDIT-0001")
        try await first.waitForLine(containing: "device added: 1-2 ")
        #expect(first.stop() == 0)

        let database = stateDirectory + "/state.db"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: database))
        let victim = try #require(bytes.firstRange(of: Data("device added: 1-1.3".utf8)), "the event is in the file")
        bytes.replaceSubrange(victim.lowerBound..<victim.lowerBound + 19, with: Data("device added: 9-9.9".utf8))
        try bytes.write(to: URL(fileURLWithPath: database))

        let second = try RunningProcess(Paths.nazoratd, ["--config", configuration], environment: testbed.childEnvironment)
        try await second.waitForLine(containing: "the whole event log does not verify: seq ")
        #expect(second.stop() == 0)

        let lines = await second.lines.elements
        #expect(!lines.contains { $0.contains("damaged database moved to") }, "the start's check covers the tail only")
        let alarm = try #require(lines.first { $0.contains("the whole event log does not verify") })
        #expect(alarm.contains("edited") && alarm.contains("critical"), "\(alarm)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: stateDirectory).allSatisfy { !$0.contains("damaged") })
        let raised = try await DatabaseQueue(path: database).read {
            try String.fetchAll($0, sql: "SELECT kind FROM alarms WHERE state = 'raised'")
        }
        #expect(raised == ["storage.damaged-database"])
        let verified = try runToCompletion(Paths.nazoratd, ["verify-log", "--db", database], environment: [:])
        #expect(verified.status == 1 && verified.stdoutText.contains("edited"), "\(verified.stdoutText)")
    }

    /// On a terminal, a line that counts the events walked; piped, only the result.
    @Test func verifyLogShowsProgressOnlyOnATerminal() async throws {
        let (testbed, daemon, _, stateDirectory) = try start("AUDIT-0002")
        defer { withExtendedLifetime(testbed) {} }
        try await daemon.waitForLine(containing: "the whole log verifies")
        #expect(daemon.stop() == 0)
        let database = stateDirectory + "/state.db"

        let piped = try runToCompletion(Paths.nazoratd, ["verify-log", "--db", database], environment: [:])
        #expect(piped.status == 0 && piped.stdoutText.contains("intact"))
        #expect(!piped.stderr.contains("verifying"), "\(piped.stderr)")

        // script(1) gives the command a terminal and copies what it shows.
        let shown = try runToCompletion("/usr/bin/script", ["-qec", "\(Paths.nazoratd) verify-log --db \(database)",
                                                            "/dev/null"], environment: [:])
        #expect(shown.status == 0)
        #expect(shown.stdoutText.contains("verifying \(database): event 1 of "), "\(shown.stdoutText.debugDescription)")
        #expect(shown.stdoutText.contains("\r\u{1B}[K") && shown.stdoutText.contains("intact"))
    }
}
