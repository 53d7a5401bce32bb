import Foundation
import GRDB
import NazoratCore
import NazoratTestbed
import Testing

/// Every event of the log is a journal entry with the same seq and hash, read back from a
/// real systemd-journald with `journalctl -o json`.
@Suite(.serialized) struct JournalTests {
    /// A journald for the test: the running one, or one started by hand (root only).
    private func journald() throws -> RunningProcess? {
        if FileManager.default.fileExists(atPath: "/run/systemd/journal/socket"),
           (try? runToCompletion("/bin/journalctl", ["--sync"], environment: [:]).status) == 0 {
            return nil
        }
        try #require(getuid() == 0, "starting systemd-journald by hand needs root")
        try FileManager.default.createDirectory(atPath: "/run/systemd/journal", withIntermediateDirectories: true)
        return try RunningProcess("/lib/systemd/systemd-journald", [], environment: [:])
    }

    @Test func everyEventIsAJournalEntryWithItsSeqHashAndMessageID() async throws {
        let journal = try journald()
        defer { _ = journal?.stop() }
        let testbed = try Paths.station()
        let station = "JOURNAL-\(Int.random(in: 100_000...999_999))"
        let directory = try Paths.temporaryDirectory()
        let config = try Paths.writeConfig(station: station, in: directory)
        let notify = try NotifySocket()
        var environment = testbed.childEnvironment
        environment["NOTIFY_SOCKET"] = notify.path
        let daemon = try RunningProcess(Paths.nazoratd, ["--config", config, "--log-target", "journal"],
                                        environment: environment)
        try await notify.messages.wait(for: "READY=1") { $0.contains { $0.hasPrefix("READY=1") } }
        try testbed.add(Paths.fixture("hostile-strings"))
        try await waitForJournal(station: station) { entries in entries.contains { $0["NAZORAT_EVENT"] as? String == "policy.decision" && $0["NAZORAT_SUBJECT"] as? String == "1-3" } }
        let pid = daemon.process.processIdentifier
        #expect(daemon.stop() == 0)
        #expect(await daemon.lines.elements.isEmpty, "with the journal there is nothing on stderr")
        // Regression: the "checkpoint signed" line of a clean stop carried NAZORAT_SEQ without a
        // MESSAGE_ID. Every entry of the daemon with a seq is an event's.
        _ = try runToCompletion("/bin/journalctl", ["--sync"], environment: [:])
        let everything = try runToCompletion("/bin/journalctl", ["-o", "json", "--no-pager", "_PID=\(pid)"], environment: [:])
            .stdoutText.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        for entry in everything where entry["NAZORAT_SEQ"] != nil {
            #expect(entry["MESSAGE_ID"] is String, "NAZORAT_SEQ without MESSAGE_ID: \(entry["MESSAGE"] ?? "")")
        }
        #expect(everything.contains { $0["MESSAGE"] as? String == "checkpoint signed" && $0["NAZORAT_CHECKPOINT_SEQ"] is String })

        let events = try DatabaseQueue(path: directory + "/state/state.db").read {
            try Row.fetchAll($0, sql: "SELECT seq, hash, type, severity, message FROM events ORDER BY seq")
        }
        try await waitForJournal(station: station) { $0.count >= events.count }
        let entries = try journalEntries(station: station)
        let bySeq = Dictionary(entries.compactMap { entry in (entry["NAZORAT_SEQ"] as? String).map { ($0, entry) } },
                               uniquingKeysWith: { first, _ in first })
        #expect(events.count > 20)
        for event in events {
            let seq: Int64 = event["seq"]
            let entry = try #require(bySeq[String(seq)], "no journal entry for seq \(seq)")
            #expect(entry["NAZORAT_HASH"] as? String == event["hash"])
            #expect(entry["NAZORAT_EVENT"] as? String == event["type"])
            #expect(entry["MESSAGE_ID"] as? String == MessageID.forType(event["type"]))
            #expect(entry["MESSAGE"] as? String == event["message"])
            let priority = ["info": "6", "notice": "5", "warning": "4", "error": "3", "critical": "2"][event["severity"] as String]
            #expect(entry["PRIORITY"] as? String == priority)
            #expect(entry["SYSLOG_IDENTIFIER"] as? String == "nazoratd")
            #expect(entry["CODE_FILE"] is String && entry["CODE_LINE"] is String && entry["CODE_FUNC"] is String)
        }

        let hostile = try #require(entries.first { $0["NAZORAT_EVENT"] as? String == "device.added" && $0["NAZORAT_DEVICE_PORT"] as? String == "1-3" })
        let message = try #require(hostile["MESSAGE"] as? String, "the message is text, not a byte array")
        #expect(message.contains(#"Tab\there\nNew line\r\xff\xfe"#))
        #expect(!message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(hostile["NAZORAT_DEVICE_ID"] as? String == "1234:5678")
        let serial = try #require(hostile["NAZORAT_DEVICE_SERIAL"] as? String)
        #expect(serial.hasSuffix("…(+3583 bytes)"), "bounded like the JSON form")

        // `journalctl -x` explains every entry once `make install` put the catalog in a root
        // and `journalctl --update-catalog` compiled it there.
        let explained = try explainedByCatalog(station: station)
        for type in Set(entries.compactMap { $0["NAZORAT_EVENT"] as? String }) {
            #expect(explained.contains("░░ Event type \(type)."), "no catalog text for \(type)")
        }
        #expect(explained.contains("░░ Subject: A USB device was connected"))
    }

    /// `journalctl -x` on a copy of the journal, in an installed test root. journalctl 252
    /// reads the catalog database from /var/lib/systemd/catalog even with --root, so the
    /// root's database is bind-mounted there in a private mount namespace (the host's
    /// catalog is not touched).
    private func explainedByCatalog(station: String) throws -> String {
        let root = try InstallTests.installedRoot()
        #expect(try runToCompletion("/bin/journalctl", ["--root=\(root)", "--update-catalog"], environment: [:]).status == 0)
        _ = try runToCompletion("/bin/journalctl", ["--sync"], environment: [:])
        try FileManager.default.createDirectory(atPath: root + "/var/log", withIntermediateDirectories: true)
        for source in ["/run/log/journal", "/var/log/journal"] where FileManager.default.fileExists(atPath: source) {
            let copy = try runToCompletion("/bin/cp", ["-r", source, root + "/var/log/"], environment: [:])
            try #require(copy.status == 0, "\(copy.stderr)")
        }
        try FileManager.default.createDirectory(atPath: "/var/lib/systemd/catalog", withIntermediateDirectories: true)
        let script = "mount --bind \(root)/var/lib/systemd/catalog /var/lib/systemd/catalog && "
            + "journalctl --root=\(root) -x --no-pager -o short NAZORAT_STATION=\(station)"
        let shown = try runToCompletion("/usr/bin/unshare", ["-m", "/bin/sh", "-c", script], environment: InstallTests.environment)
        try #require(shown.status == 0, "\(shown.stderr)")
        return shown.stdoutText
    }

    private func journalEntries(station: String) throws -> [[String: Any]] {
        _ = try runToCompletion("/bin/journalctl", ["--sync"], environment: [:])
        let output = try runToCompletion("/bin/journalctl", ["-o", "json", "--no-pager", "NAZORAT_STATION=\(station)"],
                                         environment: [:])
        return output.stdoutText.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// journald writes asynchronously; `journalctl --sync` makes it catch up. A few rounds at most.
    private func waitForJournal(station: String, until done: ([[String: Any]]) -> Bool) async throws {
        for _ in 0..<50 {
            if done(try journalEntries(station: station)) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the journal did not show the expected entries")
    }
}
