import FoundationEssentials
import GRDB
import NazoratCore

/// Central's SQLite database: enrolled stations, what each sent, and each one's state.
final class CentralStore: Sendable {
    /// The database (CentralStore+Reports.swift reads it too).
    let pool: DatabasePool

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: stations, envelopes, rejections") { db in
            try db.execute(sql: """
                CREATE TABLE stations (
                    station        TEXT PRIMARY KEY NOT NULL,
                    public_key     TEXT NOT NULL,
                    enrolled_usec  INTEGER NOT NULL,
                    accepted_seq   INTEGER NOT NULL DEFAULT 0,
                    event_seq      INTEGER NOT NULL DEFAULT 0,
                    event_hash     TEXT,
                    last_seen_usec INTEGER,
                    heartbeat_usec INTEGER,
                    heartbeat      TEXT,
                    final_report   TEXT,
                    clock_jumps    INTEGER NOT NULL DEFAULT 0
                );
                -- Every accepted envelope, verbatim (its payload bytes and signature).
                CREATE TABLE envelopes (
                    station       TEXT NOT NULL,
                    seq           INTEGER NOT NULL,
                    kind          TEXT NOT NULL,
                    received_usec INTEGER NOT NULL,
                    envelope      TEXT NOT NULL,
                    PRIMARY KEY (station, seq)
                );
                -- Every refused envelope: why, and what it was.
                CREATE TABLE rejections (
                    id            INTEGER PRIMARY KEY AUTOINCREMENT,
                    station       TEXT,
                    seq           INTEGER,
                    reason        TEXT NOT NULL,
                    received_usec INTEGER NOT NULL,
                    envelope      TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: polls reports") { db in
            try db.execute(sql: """
                -- The zero and closing reports: from the event chain (events envelopes), and
                -- envelope_seq once the report's own signed envelope matched it.
                CREATE TABLE reports (
                    station       TEXT NOT NULL,
                    occasion      TEXT NOT NULL,
                    event_seq     INTEGER NOT NULL,
                    event_hash    TEXT NOT NULL,
                    report        TEXT NOT NULL,
                    envelope_seq  INTEGER,
                    received_usec INTEGER NOT NULL,
                    PRIMARY KEY (station, event_seq)
                );
                """)
        }
        Self.registerRegistry(&migrator)
        try migrator.migrate(pool)
    }

    /// One batch's work in one write transaction (the Receiver's), or in one read.
    func transaction<T>(_ body: (CentralTransaction) throws -> T) throws -> T {
        try pool.write { try body(CentralTransaction(db: $0)) }
    }

    func read<T>(_ body: (CentralTransaction) throws -> T) throws -> T {
        try pool.read { try body(CentralTransaction(db: $0)) }
    }

    func station(_ id: String) throws -> StationRecord? { try read { try $0.station(id) } }

    func stations() throws -> [StationRecord] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM stations ORDER BY station").map(StationRecord.init) }
    }

    /// The envelope `seq` of the station's current generation.
    func storedEnvelope(_ record: StationRecord, seq: Int64) throws -> String? { try read { try $0.storedEnvelope(record, seq: seq) } }

    /// Stores an accepted envelope and the station's new state, in one transaction.
    func accept(_ record: StationRecord, seq: Int64, kind: String, envelope: String, now: Int64,
                reports: CentralTransaction.ReportChange = .none) throws {
        try transaction { try $0.accept(record, seq: seq, kind: kind, envelope: envelope, now: now, reports: reports) }
    }

    func rejectionCounts() throws -> [String: Int] {
        try pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT reason, COUNT(*) AS n FROM rejections GROUP BY reason") {
                counts[row["reason"]] = row["n"]
            }
            return counts
        }
    }
}

/// One station as central knows it.
struct StationRecord: Sendable, Equatable {
    var station: String
    var publicKey: String
    var enrolledUsec: Int64
    /// The highest contiguous envelope seq accepted.
    var acceptedSeq: Int64
    /// The head of the station's event chain as received.
    var eventSeq: Int64
    var eventHash: String?
    /// Central's clock when the last envelope arrived.
    var lastSeenUsec: Int64?
    /// Central's clock when the newest heartbeat arrived.
    var heartbeatUsec: Int64?
    /// The newest heartbeat's payload (JSON).
    var heartbeat: String?
    var finalReport: String?
    /// Wall-clock jumps seen between heartbeats of one boot.
    var clockJumps: Int
    var region: String
    var district: String
    /// Its name or address.
    var name: String
    /// When it was retired, if it is.
    var retiredUsec: Int64?
    /// Its installation under the current key, from 1 (CentralStore+Registry.swift).
    var generation: Int64

    init(row: Row) {
        station = row["station"]
        publicKey = row["public_key"]
        enrolledUsec = row["enrolled_usec"]
        acceptedSeq = row["accepted_seq"]
        eventSeq = row["event_seq"]
        eventHash = row["event_hash"]
        lastSeenUsec = row["last_seen_usec"]
        heartbeatUsec = row["heartbeat_usec"]
        heartbeat = row["heartbeat"]
        finalReport = row["final_report"]
        clockJumps = row["clock_jumps"]
        region = row["region"]
        district = row["district"]
        name = row["name"]
        retiredUsec = row["retired_usec"]
        generation = row["generation"]
    }
}
