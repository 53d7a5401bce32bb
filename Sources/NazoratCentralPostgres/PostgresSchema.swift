import Logging
import NazoratCentral
import PostgresNIO

/// Central's PostgreSQL schema: the SQLite store's latest (SQLiteSchema), in PostgreSQL's
/// types. Station ids sort bytewise (`COLLATE "C"`), as in SQLite, whatever the database's
/// locale; a key belongs to one station (RegistryPlan checks it, the constraint holds it
/// against a race). Versioned in `schema_migrations`; every process that opens the database brings it
/// forward under an advisory lock, so that two starting at once do not both migrate.
enum PostgresSchema {
    /// The advisory lock that orders migrations and enrolments (an arbitrary, fixed number).
    static let registryLock: Int64 = 0x4E_415A_4F52

    static let migrations: [(version: Int64, sql: [String])] = [
        (1, [
            """
            CREATE TABLE stations (
                station        TEXT COLLATE "C" PRIMARY KEY NOT NULL,
                public_key     TEXT NOT NULL UNIQUE,
                enrolled_usec  BIGINT NOT NULL,
                accepted_seq   BIGINT NOT NULL DEFAULT 0,
                event_seq      BIGINT NOT NULL DEFAULT 0,
                event_hash     TEXT,
                last_seen_usec BIGINT,
                heartbeat_usec BIGINT,
                heartbeat      TEXT,
                final_report   TEXT,
                clock_jumps    BIGINT NOT NULL DEFAULT 0,
                region         TEXT NOT NULL DEFAULT 'unassigned',
                district       TEXT NOT NULL DEFAULT 'unassigned',
                name           TEXT NOT NULL DEFAULT '',
                retired_usec   BIGINT,
                generation     BIGINT NOT NULL DEFAULT 1
            )
            """,
            """
            CREATE TABLE station_keys (
                station       TEXT NOT NULL,
                generation    BIGINT NOT NULL,
                public_key    TEXT NOT NULL,
                enrolled_usec BIGINT NOT NULL,
                replaced_usec BIGINT NOT NULL,
                PRIMARY KEY (station, generation)
            )
            """,
            """
            CREATE TABLE envelopes (
                station       TEXT NOT NULL,
                generation    BIGINT NOT NULL DEFAULT 1,
                seq           BIGINT NOT NULL,
                kind          TEXT NOT NULL,
                received_usec BIGINT NOT NULL,
                envelope      TEXT NOT NULL,
                PRIMARY KEY (station, generation, seq)
            )
            """,
            """
            CREATE TABLE reports (
                station       TEXT NOT NULL,
                generation    BIGINT NOT NULL DEFAULT 1,
                occasion      TEXT NOT NULL,
                event_seq     BIGINT NOT NULL,
                event_hash    TEXT NOT NULL,
                report        TEXT NOT NULL,
                envelope_seq  BIGINT,
                received_usec BIGINT NOT NULL,
                PRIMARY KEY (station, generation, event_seq)
            )
            """,
            """
            CREATE TABLE rejections (
                id            BIGSERIAL PRIMARY KEY,
                station       TEXT,
                generation    BIGINT,
                seq           BIGINT,
                reason        TEXT NOT NULL,
                received_usec BIGINT NOT NULL,
                envelope      TEXT NOT NULL
            )
            """,
        ]),
        (2, DashboardSQL.schema(autoincrement: "BIGSERIAL PRIMARY KEY", integer: "BIGINT")),
    ]

    /// Brings the database forward to the newest version.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(registryLock))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<Int64>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
                .decode(Int64.self) {
                applied.insert(version)
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.sql { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
            }
        }
    }
}
