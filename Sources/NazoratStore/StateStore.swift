import FoundationEssentials
import GRDB
import NazoratCore

/// The station's SQLite database (`state-dir/state.db`): WAL, `synchronous=FULL`, so that
/// a transaction that returned is on disk before anything reports it as done.
public final class StateStore: Sendable {
    /// The database file.
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating and migrating) the database at `path`; `readOnly` for verification.
    public init(path: String, readOnly: Bool = false) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = readOnly
        pool = try Self.mappingErrors(path: path) {
            let pool = try DatabasePool(path: path, configuration: configuration)
            if !readOnly {
                // GRDB sets synchronous=NORMAL on the writer when it enables WAL, after any
                // prepareDatabase hook; NORMAL does not sync the WAL at commit, so a commit
                // could be lost in a power cut. FULL syncs it before the commit returns.
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
                try Schema.migrator.migrate(pool)
            }
            return pool
        }
    }

    /// Runs SQLite's own consistency check; returns its complaints (empty when fine).
    public func quickCheck() throws(StoreError) -> [String] {
        do throws(StoreError) {
            let rows = try read { try String.fetchAll($0, sql: "PRAGMA quick_check") }
            return rows == ["ok"] ? [] : rows
        } catch {
            if case .corrupt(_, let reason) = error { return [reason] }
            throw error
        }
    }

    /// The journal mode and synchronous level the writing connection runs with (`wal`, 2 = FULL).
    public func pragmas() throws(StoreError) -> (journalMode: String, synchronous: Int) {
        try Self.mappingErrors(path: path) {
            try pool.writeWithoutTransaction { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                 try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
            }
        }
    }

    /// Whether the database has no tables at all (created, but no schema committed yet).
    public func isEmpty() throws(StoreError) -> Bool {
        try read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0 } == 0
    }

    /// A metadata value.
    public func metadata(_ key: MetadataKey) throws(StoreError) -> String? {
        try read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key.rawValue]) }
    }

    /// Sets metadata values that are not set yet; returns the values now stored.
    public func initializeMetadata(_ values: [MetadataKey: String]) throws(StoreError) -> [MetadataKey: String] {
        try write { db in
            for (key, value) in values {
                try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", arguments: [key.rawValue, value])
            }
            return Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM meta").compactMap {
                row in MetadataKey(rawValue: row["key"]).map { ($0, row["value"] as String) }
            })
        }
    }

    /// The last event's seq and hash, or nil for an empty log.
    public func head() throws(StoreError) -> (seq: Int64, hash: String)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").map {
                ($0["seq"] as Int64, $0["hash"] as String)
            }
        }
    }

    /// The last checkpoint's seq, or 0.
    public func lastCheckpointSeq() throws(StoreError) -> Int64 {
        try read { try Int64.fetchOne($0, sql: "SELECT MAX(seq) FROM checkpoints") ?? 0 }
    }

    /// Appends chained events, their checkpoints and the table changes made with them, in
    /// one durable transaction.
    public func append(events: [Event], checkpoints: [Checkpoint] = [], tables batch: TableChanges = TableChanges()) throws(StoreError) {
        try write { db in
            // Cached statements: a coldplug appends a thousand rows, each otherwise compiled anew.
            let insertEvent = try db.cachedStatement(sql: """
                INSERT INTO events (seq, realtime_usec, monotonic_usec, boot_id, type, severity, subject,
                                    message, payload, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for event in events {
                try insertEvent.execute(arguments: [
                        event.seq, event.draft.time.realtimeUSec, event.draft.time.monotonicUSec,
                        event.draft.time.bootID, event.draft.type, event.draft.severity.rawValue,
                        event.draft.subject, event.draft.message, event.draft.payload, event.prevHash, event.hash,
                    ])
            }
            for checkpoint in checkpoints {
                try db.execute(sql: """
                    INSERT INTO checkpoints (seq, hash, signature, public_key, realtime_usec) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [checkpoint.seq, checkpoint.hash, checkpoint.signature, checkpoint.publicKey,
                                     events.last?.draft.time.realtimeUSec ?? 0])
            }
            let seq = events.last?.seq ?? 0
            let upsertDevice = try db.cachedStatement(sql: """
                INSERT INTO devices (syspath, port, record, updated_seq) VALUES (?, ?, ?, ?)
                ON CONFLICT(syspath) DO UPDATE SET port = excluded.port, record = excluded.record,
                                                   updated_seq = excluded.updated_seq
                """)
            for device in batch.devicesPresent {
                try upsertDevice.execute(arguments: [device.syspath, device.port, try Self.encode(device), seq])
            }
            for syspath in batch.devicesGone {
                try db.execute(sql: "DELETE FROM devices WHERE syspath = ?", arguments: [syspath])
            }
            for change in batch.alarmChanges {
                switch change {
                case .raise(let alarm):
                    try db.execute(sql: """
                        INSERT INTO alarms (kind, severity, subject, state, detail, raised_seq, updated_seq)
                        VALUES (?, ?, ?, 'raised', ?, ?, ?)
                        """, arguments: [alarm.kind.rawValue, alarm.severity.rawValue, alarm.subject, alarm.detail, seq, seq])
                case .clear(let kind, let subject):
                    try db.execute(sql: """
                        UPDATE alarms SET state = 'cleared', updated_seq = ?
                        WHERE kind = ? AND subject = ? AND state != 'cleared'
                        """, arguments: [seq, kind.rawValue, subject])
                case .acknowledge(let kind, let subject, let by, let note):
                    try db.execute(sql: """
                        UPDATE alarms SET state = 'acknowledged', acknowledged_by = ?, note = ?, updated_seq = ?
                        WHERE kind = ? AND subject = ? AND state != 'cleared'
                        """, arguments: [by, note, seq, kind.rawValue, subject])
                case .regrade(let kind, let subject, let severity):
                    try db.execute(sql: """
                        UPDATE alarms SET severity = ?, updated_seq = ? WHERE kind = ? AND subject = ? AND state != 'cleared'
                        """, arguments: [severity.rawValue, seq, kind.rawValue, subject])
                }
            }
            if let inventory = batch.inventory {
                try db.execute(sql: "INSERT INTO seals (seq, inventory) VALUES (?, ?)",
                               arguments: [seq, String(decoding: try JSONEncoder().encode(inventory), as: UTF8.self)])
            }
            for (port, record) in batch.counters {
                try db.execute(sql: """
                    INSERT INTO counters (port, public, protective, protective_at_open, updated_seq) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(port) DO UPDATE SET public = excluded.public, protective = excluded.protective,
                        protective_at_open = excluded.protective_at_open, updated_seq = excluded.updated_seq
                    """, arguments: [port, record.current?.publicCount, record.current?.protectiveCount,
                                     record.protectiveAtOpen, seq])
            }
            for evidence in batch.evidence {
                try db.execute(sql: """
                    INSERT INTO counter_evidence (port, public, protective, anomaly, seq) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [evidence.port, evidence.counters.publicCount, evidence.counters.protectiveCount,
                                     evidence.anomaly, seq])
            }
            if let results = batch.results {
                try db.execute(sql: "INSERT INTO results (seq, document) VALUES (?, ?)", arguments: [seq, results])
            }
            for (key, value) in batch.metadata {
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               arguments: [key.rawValue, value])
            }
        }
    }

    private static func encode(_ device: USBDevice) throws -> String {
        String(decoding: try JSONEncoder().encode(device), as: UTF8.self)
    }

    /// A read for the other files of this module.
    func readOnly<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try read(body)
    }

    /// A write transaction for the other files of this module.
    func writeTransaction<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try write(body)
    }

    private func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try Self.mappingErrors(path: path) { try pool.read(body) }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try Self.mappingErrors(path: path) { try pool.write(body) }
    }

    /// SQLite's corruption codes become ``StoreError/corrupt(path:reason:)``, everything else ``StoreError/sqlite(_:)``.
    private static func mappingErrors<T>(path: String, _ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw .corrupt(path: path, reason: error.message ?? "\(error)")
        } catch {
            throw .sqlite("\(path): \(error)")
        }
    }
}
