import GRDB

/// The database schema, in one place, as versioned migrations.
///
/// A migration is never edited once released: a change is a new migration. Tables that
/// later features need (sealed inventory, counters, outbox) arrive with their own
/// migrations.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: event log, checkpoints, devices, alarms") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    key   TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                -- The tamper-evident log: hash = SHA-256(prev_hash || canonical bytes).
                CREATE TABLE events (
                    seq            INTEGER PRIMARY KEY NOT NULL,
                    realtime_usec  INTEGER NOT NULL,
                    monotonic_usec INTEGER NOT NULL,
                    boot_id        TEXT NOT NULL,
                    type           TEXT NOT NULL,
                    severity       TEXT NOT NULL,
                    subject        TEXT NOT NULL,
                    message        TEXT NOT NULL,
                    payload        TEXT NOT NULL,
                    prev_hash      TEXT NOT NULL,
                    hash           TEXT NOT NULL
                );
                CREATE INDEX events_type ON events(type);
                -- Signed heads of the log (every 1,000 events, each seal, each clean stop).
                CREATE TABLE checkpoints (
                    seq           INTEGER PRIMARY KEY NOT NULL,
                    hash          TEXT NOT NULL,
                    signature     TEXT NOT NULL,
                    public_key    TEXT NOT NULL,
                    realtime_usec INTEGER NOT NULL
                );
                -- The devices present when last recorded, to reconcile after a restart.
                CREATE TABLE devices (
                    syspath     TEXT PRIMARY KEY NOT NULL,
                    port        TEXT NOT NULL,
                    record      TEXT NOT NULL,
                    updated_seq INTEGER NOT NULL
                );
                CREATE TABLE alarms (
                    id          INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind        TEXT NOT NULL,
                    severity    TEXT NOT NULL,
                    subject     TEXT NOT NULL,
                    state       TEXT NOT NULL CHECK (state IN ('raised', 'acknowledged', 'cleared')),
                    detail      TEXT NOT NULL,
                    raised_seq  INTEGER NOT NULL,
                    updated_seq INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: seals, alarm acknowledgement") { db in
            try db.execute(sql: """
                ALTER TABLE alarms ADD COLUMN acknowledged_by TEXT;
                ALTER TABLE alarms ADD COLUMN note TEXT;
                -- Each seal of the commissioned inventory; the newest is in force.
                CREATE TABLE seals (
                    seq       INTEGER PRIMARY KEY NOT NULL,
                    inventory TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3: ballot counters, counter evidence, results") { db in
            try db.execute(sql: """
                -- The last good counters per scanner port, and the protective counter at polls open.
                CREATE TABLE counters (
                    port               TEXT PRIMARY KEY NOT NULL,
                    public             INTEGER,
                    protective         INTEGER,
                    protective_at_open INTEGER,
                    updated_seq        INTEGER NOT NULL
                );
                -- Every refused counter report, kept as evidence.
                CREATE TABLE counter_evidence (
                    id         INTEGER PRIMARY KEY AUTOINCREMENT,
                    port       TEXT NOT NULL,
                    public     INTEGER NOT NULL,
                    protective INTEGER NOT NULL,
                    anomaly    TEXT NOT NULL,
                    seq        INTEGER NOT NULL
                );
                -- Per-contest totals submitted after the polls closed.
                CREATE TABLE results (
                    seq      INTEGER PRIMARY KEY NOT NULL,
                    document TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v4: outbox") { db in
            try db.execute(sql: """
                -- Signed envelopes waiting for central's acknowledgement, in envelope seq order.
                CREATE TABLE outbox (
                    seq          INTEGER PRIMARY KEY NOT NULL,
                    kind         TEXT NOT NULL,
                    created_usec INTEGER NOT NULL,
                    envelope     TEXT NOT NULL,
                    size         INTEGER NOT NULL
                );
                """)
        }
        return migrator
    }
}
