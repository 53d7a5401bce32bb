import GRDB

/// Central's SQLite schema, migration by migration (databases made by earlier versions are
/// brought forward when central opens them).
enum SQLiteSchema {
    static func migrator() -> DatabaseMigrator {
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
        migrator.registerMigration("v4: dashboard accounts, sessions, audit") { db in
            for table in DashboardSQL.schema(autoincrement: "INTEGER PRIMARY KEY AUTOINCREMENT", integer: "INTEGER") {
                try db.execute(sql: table)
            }
        }
        return migrator
    }
}
