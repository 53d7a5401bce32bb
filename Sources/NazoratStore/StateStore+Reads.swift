import FoundationEssentials
import GRDB
import NazoratCore

/// What the station's database holds now: the tables the daemon loads at start and the
/// control API reads, and the log for verification and followers.
extension StateStore {
    /// The devices recorded as present.
    public func recordedDevices() throws(StoreError) -> [USBDevice] {
        try readOnly { db in
            try String.fetchAll(db, sql: "SELECT record FROM devices").map {
                try JSONDecoder().decode(USBDevice.self, from: Data($0.utf8))
            }
        }
    }

    /// Open (raised or acknowledged) alarms, oldest first.
    public func openAlarms() throws(StoreError) -> [Alarm] {
        try openAlarmRecords().map(\.alarm)
    }

    /// Open alarms with their ids (the control API's alarm ids), oldest first.
    public func openAlarmRecords() throws(StoreError) -> [(id: Int64, alarm: Alarm)] {
        try readOnly { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alarms WHERE state != 'cleared' ORDER BY id").map { row in
                var alarm = Alarm(kind: AlarmKind(rawValue: row["kind"]), severity: Severity(rawValue: row["severity"]) ?? .error,
                                  subject: row["subject"], detail: row["detail"])
                alarm.state = Alarm.State(rawValue: row["state"]) ?? .raised
                alarm.acknowledgedBy = row["acknowledged_by"]
                alarm.note = row["note"]
                return (row["id"], alarm)
            }
        }
    }

    /// The inventory of the newest seal, if the station was sealed.
    public func inventory() throws(StoreError) -> Inventory? {
        try readOnly { db in
            try String.fetchOne(db, sql: "SELECT inventory FROM seals ORDER BY seq DESC LIMIT 1").map {
                try JSONDecoder().decode(Inventory.self, from: Data($0.utf8))
            }
        }
    }

    /// The counters of every scanner port that reported or was reset.
    public func counters() throws(StoreError) -> [String: ScannerRecord] {
        try readOnly { db in
            var records: [String: ScannerRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM counters") {
                let publicCount: Int64? = row["public"]
                let protectiveCount: Int64? = row["protective"]
                let current = publicCount.flatMap { p in protectiveCount.map { ScannerCounters(publicCount: p, protectiveCount: $0) } }
                records[row["port"]] = ScannerRecord(current: current, protectiveAtOpen: row["protective_at_open"])
            }
            return records
        }
    }

    /// The refused counter reports, oldest first.
    public func counterEvidence() throws(StoreError) -> [CounterEvidence] {
        try readOnly { db in
            try Row.fetchAll(db, sql: "SELECT * FROM counter_evidence ORDER BY id").map { row in
                CounterEvidence(port: row["port"], counters: ScannerCounters(publicCount: row["public"],
                                                                            protectiveCount: row["protective"]),
                                anomaly: row["anomaly"])
            }
        }
    }

    /// The newest per-contest totals submitted, if any.
    public func results() throws(StoreError) -> String? {
        try readOnly { try String.fetchOne($0, sql: "SELECT document FROM results ORDER BY seq DESC LIMIT 1") }
    }

    /// The polls phase (`setup` until changed).
    public func pollsPhase() throws(StoreError) -> PollsPhase {
        try metadata(.pollsPhase).flatMap(PollsPhase.init(rawValue:)) ?? .setup
    }

    /// Every event in seq order and every checkpoint (for verification).
    public func log() throws(StoreError) -> (events: [Event], checkpoints: [Checkpoint]) {
        try readOnly { db in
            let events = try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY seq").map(Self.event)
            let checkpoints = try Row.fetchAll(db, sql: "SELECT * FROM checkpoints ORDER BY seq").map(Self.checkpoint)
            return (events, checkpoints)
        }
    }

    /// Calls `body` with each event from `seq` on, in seq order, read one row at a time in
    /// one read transaction (a year-long log is never in memory whole), until `body` returns false.
    public func forEachEvent(from seq: Int64 = 1, _ body: (Event) -> Bool) throws(StoreError) {
        try readOnly { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM events WHERE seq >= ? ORDER BY seq", arguments: [seq])
            while let row = try rows.next(), body(Self.event(row)) {}
        }
    }

    /// Every checkpoint, in seq order (one per 1,000 events: a few thousand at most).
    public func checkpoints() throws(StoreError) -> [Checkpoint] {
        try readOnly { db in try Row.fetchAll(db, sql: "SELECT * FROM checkpoints ORDER BY seq").map(Self.checkpoint) }
    }

    /// The checkpoint with the highest seq, if any.
    public func lastCheckpoint() throws(StoreError) -> Checkpoint? {
        try readOnly { db in
            try Row.fetchOne(db, sql: "SELECT * FROM checkpoints ORDER BY seq DESC LIMIT 1").map(Self.checkpoint)
        }
    }

    /// At most `limit` events after `seq`, in seq order.
    public func events(after seq: Int64, limit: Int) throws(StoreError) -> [Event] {
        try readOnly { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [seq, limit]).map(Self.event)
        }
    }

    /// The newest event of `type`, if any (the index on type finds it).
    public func lastEvent(ofType type: EventType) throws(StoreError) -> Event? {
        try readOnly { db in
            try Row.fetchOne(db, sql: "SELECT * FROM events WHERE type = ? ORDER BY seq DESC LIMIT 1",
                             arguments: [type.rawValue]).map(Self.event)
        }
    }

    private static func checkpoint(_ row: Row) -> Checkpoint {
        Checkpoint(seq: row["seq"], hash: row["hash"], signature: row["signature"], publicKey: row["public_key"])
    }

    private static func event(_ row: Row) -> Event {
        Event(seq: row["seq"], draft: EventDraft(
            storedType: row["type"], severity: Severity(rawValue: row["severity"]) ?? .critical,
            subject: row["subject"], message: row["message"], payload: row["payload"],
            time: EventTime(realtimeUSec: row["realtime_usec"], monotonicUSec: row["monotonic_usec"],
                            bootID: row["boot_id"])),
              prevHash: row["prev_hash"], hash: row["hash"])
    }
}
