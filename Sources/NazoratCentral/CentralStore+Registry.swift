import FoundationEssentials
import GRDB
import NazoratCore

/// The station registry: where each station is, its key and the keys it had, and whether it
/// is retired. A new key is a new installation (a station's key never changes, nazoratd
/// starts a new chain with a new one), so re-keying starts a new `generation`: its envelope
/// and event sequences start again from 1, and what the old key sent stays, under the old
/// generation.
extension CentralStore {
    static func registerRegistry(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3: registry, key history, generations") { db in
            try db.execute(sql: """
                ALTER TABLE stations ADD COLUMN region TEXT NOT NULL DEFAULT 'unassigned';
                ALTER TABLE stations ADD COLUMN district TEXT NOT NULL DEFAULT 'unassigned';
                ALTER TABLE stations ADD COLUMN name TEXT NOT NULL DEFAULT '';
                ALTER TABLE stations ADD COLUMN retired_usec INTEGER;
                ALTER TABLE stations ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
                -- The keys a station had before its current one.
                CREATE TABLE station_keys (
                    station       TEXT NOT NULL,
                    generation    INTEGER NOT NULL,
                    public_key    TEXT NOT NULL,
                    enrolled_usec INTEGER NOT NULL,
                    replaced_usec INTEGER NOT NULL,
                    PRIMARY KEY (station, generation)
                );
                CREATE TABLE envelopes_v3 (
                    station       TEXT NOT NULL,
                    generation    INTEGER NOT NULL DEFAULT 1,
                    seq           INTEGER NOT NULL,
                    kind          TEXT NOT NULL,
                    received_usec INTEGER NOT NULL,
                    envelope      TEXT NOT NULL,
                    PRIMARY KEY (station, generation, seq)
                );
                INSERT INTO envelopes_v3 SELECT station, 1, seq, kind, received_usec, envelope FROM envelopes;
                DROP TABLE envelopes;
                ALTER TABLE envelopes_v3 RENAME TO envelopes;
                CREATE TABLE reports_v3 (
                    station       TEXT NOT NULL,
                    generation    INTEGER NOT NULL DEFAULT 1,
                    occasion      TEXT NOT NULL,
                    event_seq     INTEGER NOT NULL,
                    event_hash    TEXT NOT NULL,
                    report        TEXT NOT NULL,
                    envelope_seq  INTEGER,
                    received_usec INTEGER NOT NULL,
                    PRIMARY KEY (station, generation, event_seq)
                );
                INSERT INTO reports_v3 SELECT station, 1, occasion, event_seq, event_hash, report, envelope_seq,
                                              received_usec FROM reports;
                DROP TABLE reports;
                ALTER TABLE reports_v3 RENAME TO reports;
                ALTER TABLE rejections ADD COLUMN generation INTEGER;
                """)
        }
    }

    /// Enrolls `entries` in one transaction: new stations are added; a known one takes its
    /// place and name from the entry (unless `keepPlaces`, for a single enrolment by key) and,
    /// with another key, starts a new generation. `progress` hears how many are done.
    func enroll(_ entries: [RegistryFile.Entry], keepPlaces: Bool = false, now: Int64,
                progress: ((Int) -> Void)? = nil) throws -> Enrolment {
        try pool.write { db in
            var known: [String: Row] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM stations") { known[row["station"]] = row }
            try Self.checkKeysAreNew(entries, known: known, db)
            var summary = Enrolment()
            for (index, entry) in entries.enumerated() {
                if index % 500 == 0 { progress?(index) }
                guard let row = known[entry.station] else {
                    try db.execute(sql: """
                        INSERT INTO stations (station, public_key, enrolled_usec, region, district, name)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [entry.station, entry.publicKey, now, entry.region, entry.district, entry.name])
                    summary.added += 1
                    continue
                }
                let old = StationRecord(row: row)
                var changed = false
                if RegistryRules.canonicalKey(old.publicKey) != entry.publicKey {
                    try db.execute(sql: """
                        INSERT INTO station_keys (station, generation, public_key, enrolled_usec, replaced_usec)
                        VALUES (?, ?, ?, ?, ?)
                        """, arguments: [old.station, old.generation, old.publicKey, old.enrolledUsec, now])
                    try db.execute(sql: """
                        UPDATE stations SET public_key = ?, enrolled_usec = ?, generation = generation + 1, accepted_seq = 0,
                            event_seq = 0, event_hash = NULL, last_seen_usec = NULL, heartbeat_usec = NULL, heartbeat = NULL,
                            final_report = NULL, clock_jumps = 0
                        WHERE station = ?
                        """, arguments: [entry.publicKey, now, old.station])
                    summary.rekeyed += 1
                    changed = true
                }
                if !keepPlaces, (old.region, old.district, old.name) != (entry.region, entry.district, entry.name) {
                    try db.execute(sql: "UPDATE stations SET region = ?, district = ?, name = ? WHERE station = ?",
                                   arguments: [entry.region, entry.district, entry.name, old.station])
                    summary.moved += 1
                    changed = true
                }
                if old.retiredUsec != nil {
                    try db.execute(sql: "UPDATE stations SET retired_usec = NULL WHERE station = ?", arguments: [old.station])
                    summary.reinstated += 1
                    changed = true
                }
                if !changed { summary.unchanged += 1 }
            }
            progress?(entries.count)
            return summary
        }
    }

    /// A key belongs to one station, once: a key another station holds or held, or one this
    /// station had before, would let what was signed with it count again (a new generation
    /// starts its sequence at 1). Refused with the entries' lines; nothing is enrolled.
    private static func checkKeysAreNew(_ entries: [RegistryFile.Entry], known: [String: Row], _ db: Database) throws {
        var owner: [String: (station: String, current: Bool)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT station, public_key FROM station_keys") {
            owner[RegistryRules.canonicalKey(row["public_key"])] = (row["station"], false)
        }
        for (station, row) in known { owner[RegistryRules.canonicalKey(row["public_key"])] = (station, true) }
        var problems: [RegistryFile.Problem] = []
        for entry in entries {
            guard let holder = owner[entry.publicKey], !(holder.current && holder.station == entry.station) else { continue }
            problems.append(.init(line: entry.line, message: holder.station == entry.station
                ? "\(entry.station) had this key before; a new installation needs a new key (nazoratd key prints it)"
                : "the public key of \(entry.station) is \(holder.station)'s\(holder.current ? "" : " former") key: "
                    + "each station has a key of its own"))
        }
        if !problems.isEmpty { throw RegistryFile.Problems(list: problems) }
    }

    /// Retires `station`: its envelopes are refused from now on; what it sent stays.
    /// False if it is not enrolled.
    func retire(station: String, now: Int64) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE stations SET retired_usec = COALESCE(retired_usec, ?) WHERE station = ?",
                           arguments: [now, station])
            return db.changesCount > 0
        }
    }

    /// The keys `station` had before its current one, oldest first.
    func formerKeys(station: String) throws -> [(generation: Int64, publicKey: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT generation, public_key FROM station_keys WHERE station = ? ORDER BY generation",
                             arguments: [station]).map { ($0["generation"], $0["public_key"]) }
        }
    }
}

/// What an enrolment changed.
public struct Enrolment: Sendable, Equatable, CustomStringConvertible {
    public var added = 0, rekeyed = 0, moved = 0, unchanged = 0, reinstated = 0

    public var description: String {
        "\(added) new, \(rekeyed) with a new key, \(moved) with a new region, district or name, "
            + "\(reinstated) no longer retired, \(unchanged) unchanged"
    }
}
