import Crypto
import Foundation
import GRDB
import NazoratCore
import NazoratStore
import Synchronization
import Testing

/// `nazoratd verify-log` on a real database, changed behind the daemon's back in every way
/// an attacker with file access could: each change is caught at the right seq, exit status 1.
@Suite struct VerifyLogTests {
    /// A database of 2,500 events with checkpoints at 1,000, 2,000 and 2,500, and its public key.
    private static func makeDatabase() async throws -> (path: String, publicKey: String) {
        let directory = try Paths.temporaryDirectory()
        let opened = try StateDirectory.open(directory: directory, station: "TSH-0042", now: TestTime.next())
        let log = try EventLog(store: opened.store, signer: opened.signer, queueLimit: 10,
                               clock: TestTime.next, onStorageChange: { _ in }, onCommitted: { _ in })
        for chunk in 0..<25 {
            await log.record(.init(drafts: (1...100).map { n in
                EventDraft(type: .deviceAdded, severity: .notice, subject: "1-\(n)", message: "event \(chunk)-\(n)",
                           payload: #"{"n":\#(n)}"#, time: TestTime.next())
            }))
        }
        _ = await log.checkpointHead()
        return (opened.store.path, opened.signer.publicKeyText)
    }

    private func verifyLog(_ path: String, key: String?) throws -> Completed {
        try runToCompletion(Paths.nazoratd, ["verify-log", "--db", path] + (key.map { ["--key", $0] } ?? []),
                            environment: [:])
    }

    private func expectCaught(_ tamper: (Database) throws -> Void, seq: Int64, kind: String) async throws {
        let database = try await Self.makeDatabase()
        try DatabaseQueue(path: database.path).write(tamper)
        let result = try verifyLog(database.path, key: database.publicKey)
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("seq \(seq): \(kind):"), "verify-log said: \(result.stdoutText)")
    }

    @Test func anIntactLogVerifiesWithExitStatusZero() async throws {
        let database = try await Self.makeDatabase()
        let result = try verifyLog(database.path, key: database.publicKey)
        #expect(result.status == 0)
        #expect(result.stdoutText.hasPrefix(
            "\(database.path): station TSH-0042: intact: 2500 events (seq 1-2500), 3 checkpoints verified, 0 events after the last checkpoint"))
        #expect(result.stdoutText.split(separator: "\n").count == 1, "a one-line summary")
        #expect(result.stderr.isEmpty)
    }

    @Test func anEditedRow() async throws {
        try await expectCaught({ try $0.execute(sql: #"UPDATE events SET payload = '{"n":0}' WHERE seq = 1234"#) },
                               seq: 1234, kind: "edited")
    }

    @Test func anEditedAndRehashedRow() async throws {
        try await expectCaught({ db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM events WHERE seq = 1234"))
            let draft = EventDraft(storedType: row["type"], severity: .notice, subject: row["subject"], message: "nothing",
                                   payload: row["payload"], time: EventTime(realtimeUSec: row["realtime_usec"],
                                   monotonicUSec: row["monotonic_usec"], bootID: row["boot_id"]))
            let hash = HashChain.hash(seq: 1234, draft: draft, prevHash: row["prev_hash"])!
            try db.execute(sql: "UPDATE events SET message = 'nothing', hash = ? WHERE seq = 1234", arguments: [hash])
        }, seq: 1234, kind: "edited")
    }

    @Test func aDeletedRow() async throws {
        try await expectCaught({ try $0.execute(sql: "DELETE FROM events WHERE seq = 1234") }, seq: 1234, kind: "deleted")
    }

    @Test func aDeletedRowWithTheRestRenumbered() async throws {
        try await expectCaught({ db in
            try db.execute(sql: """
                DELETE FROM events WHERE seq = 1234;
                UPDATE events SET seq = -(seq - 1) WHERE seq > 1234;
                UPDATE events SET seq = -seq WHERE seq < 0;
                """)
        }, seq: 1234, kind: "deleted")
    }

    @Test func twoRowsSwapped() async throws {
        try await expectCaught({ db in
            try db.execute(sql: """
                UPDATE events SET seq = -1 WHERE seq = 1234;
                UPDATE events SET seq = 1234 WHERE seq = 1235;
                UPDATE events SET seq = 1235 WHERE seq = -1;
                """)
        }, seq: 1234, kind: "reordered")
    }

    @Test func anInsertedRow() async throws {
        try await expectCaught({ db in
            let previous = try #require(try Row.fetchOne(db, sql: "SELECT * FROM events WHERE seq = 1233"))
            let forged = HashChain.append(
                EventDraft(type: .deviceRemoved, severity: .notice, subject: "1-1.1", message: "scanner removed",
                           payload: "{}", time: TestTime.next()),
                after: (1233, previous["hash"]), station: "TSH-0042")
            try db.execute(sql: """
                UPDATE events SET seq = -(seq + 1) WHERE seq >= 1234;
                UPDATE events SET seq = -seq WHERE seq < 0;
                """)
            try db.execute(sql: """
                INSERT INTO events VALUES (1234, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [forged.draft.time.realtimeUSec, forged.draft.time.monotonicUSec, forged.draft.time.bootID,
                                 forged.draft.type, forged.draft.severity.rawValue, forged.draft.subject,
                                 forged.draft.message, forged.draft.payload, forged.prevHash, forged.hash])
        }, seq: 1234, kind: "inserted")
    }

    @Test func aTruncatedTail() async throws {
        try await expectCaught({ try $0.execute(sql: "DELETE FROM events WHERE seq > 1900") }, seq: 1901, kind: "truncated")
    }

    @Test func aRewrittenLogResignedWithAnotherKey() async throws {
        let database = try await Self.makeDatabase()
        let forger = Curve25519.Signing.PrivateKey()
        try await DatabaseQueue(path: database.path).write { db in
            try db.execute(sql: #"UPDATE events SET payload = '{"n":0}' WHERE seq = 500"#)
            var previous = try String.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = 499")!
            for row in try Row.fetchAll(db, sql: "SELECT * FROM events WHERE seq >= 500 ORDER BY seq") {
                let draft = EventDraft(storedType: row["type"], severity: .notice, subject: row["subject"], message: row["message"],
                                       payload: row["payload"], time: EventTime(realtimeUSec: row["realtime_usec"],
                                       monotonicUSec: row["monotonic_usec"], bootID: row["boot_id"]))
                let hash = HashChain.hash(seq: row["seq"], draft: draft, prevHash: previous)!
                try db.execute(sql: "UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?",
                               arguments: [previous, hash, row["seq"] as Int64])
                previous = hash
            }
            for seq in try Int64.fetchAll(db, sql: "SELECT seq FROM checkpoints") {
                let hash = try String.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = ?", arguments: [seq])!
                let checkpoint = Checkpoint.sign(station: "TSH-0042", seq: seq, hash: hash, key: forger)
                try db.execute(sql: "UPDATE checkpoints SET hash = ?, signature = ?, public_key = ? WHERE seq = ?",
                               arguments: [hash, checkpoint.signature, checkpoint.publicKey, seq])
            }
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'public-key'",
                           arguments: [forger.publicKey.rawRepresentation.base64EncodedString()])
        }
        let withKey = try verifyLog(database.path, key: database.publicKey)
        #expect(withKey.status == 1)
        #expect(withKey.stdoutText.contains("seq 1000: bad signature:"), "verify-log said: \(withKey.stdoutText)")
        // Without the station's known key the forgery is self-consistent; verify-log says what it trusted.
        let withoutKey = try verifyLog(database.path, key: nil)
        #expect(withoutKey.status == 0)
        #expect(withoutKey.stderr.contains("note: checkpoints were checked against the key recorded in the database"))
    }

    @Test func notADatabaseIsAnError() throws {
        let path = try Paths.temporaryDirectory() + "/state.db"
        try Data("not sqlite".utf8).write(to: URL(fileURLWithPath: path))
        let result = try verifyLog(path, key: nil)
        #expect(result.status == 1)
        #expect(result.stderr.contains("state.db"))
    }
}

/// Strictly increasing test time stamps.
enum TestTime {
    private static let counter = Mutex<Int64>(0)

    @Sendable static func next() -> EventTime {
        let tick = counter.withLock { value in
            value += 1
            return value
        }
        return EventTime(realtimeUSec: 1_800_000_000_000_000 + tick, monotonicUSec: tick,
                         bootID: "0123456789abcdef0123456789abcdef")
    }
}
