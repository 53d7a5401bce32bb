import FoundationEssentials
import GRDB
import NazoratCore

/// Central's embedded store: one SQLite file in the state directory (`central.db`), for one
/// central process. Its writes go through GRDB's single writer, so a batch's transaction holds
/// every station it touches; batches that arrive together share a commit (``GroupCommit``);
/// GRDB's async calls keep the waiting off Swift's threads.
final class SQLiteStore: CentralDatabase {
    /// The database.
    let pool: DatabasePool
    /// Where batches wait for a transaction, several to one commit.
    private let batches: GroupCommit<Work>

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        try SQLiteSchema.migrator().migrate(pool)
        batches = Self.batches(on: pool)
    }

    /// A batch's judgement and writes in a transaction, giving the answer for after the commit.
    typealias Work = @Sendable (Database) throws -> @Sendable () -> Void

    /// One writer; up to 256 batches per group, several of one station among them (each
    /// reads through to the transaction, so it sees the ones before it). A batch waits for a
    /// group at most as long as SQLite waits for a lock (5 s): an overloaded central answers
    /// 503 and the uplinks send again later. A full disk, a failed write or a read-only file
    /// fails the whole group; anything else may be one batch's, which then fails alone.
    static func batches(on pool: DatabasePool) -> GroupCommit<Work> {
        GroupCommit(concurrency: 1, largest: 256, maximumWait: .seconds(5), retriesAlone: { error in
            guard let error = error as? DatabaseError else { return true }
            return ![.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_BUSY, .SQLITE_CANTOPEN].contains(error.resultCode)
        }) { works in try await pool.write { db in try works.map { try $0(db) } } }
    }

    /// The store of `stateDirectory` (made if need be).
    static func open(stateDirectory: String) throws -> SQLiteStore {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        return try SQLiteStore(path: stateDirectory + "/central.db")
    }

    func batch<Result: Sendable>(headers: [EnvelopeHeader], now: Int64,
                                 _ judge: @escaping @Sendable (inout BatchLedger) throws -> Result) async throws -> Result {
        try await batches.submit(station: nil) { answer in
            { db in
                var ledger = BatchLedger(reads: SQLiteReads(db: db), now: now)
                let result = try judge(&ledger)
                for statement in ledger.statements { try db.run(statement) }
                return { answer(result) }
            }
        }
    }

    func station(_ id: String) async throws -> StationRecord? {
        try await pool.read { try SQLiteReads(db: $0).station(id) }
    }

    func stations() async throws -> [StationRecord] {
        try await pool.read { db in try db.rows(CentralSQL.stations).map(StationRecord.init) }
    }

    func latestReports() async throws -> [String: [PollsReport.Occasion: ReportRecord]] {
        ReportRecord.latest(try await pool.read { db in try db.rows(CentralSQL.latestReports).map(ReportRecord.init) })
    }

    func rejectionCounts() async throws -> [String: Int] {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for row in try db.rows(CentralSQL.rejectionCounts) { counts[try row.text(required: "reason")] = row["n"] }
            return counts
        }
    }

    func enroll(_ entries: [RegistryFile.Entry], keepPlaces: Bool, now: Int64,
                progress: (@Sendable (Int) -> Void)?) async throws -> Enrolment {
        try await pool.write { db in
            let plan = try RegistryPlan(entries, keepPlaces: keepPlaces, known: try db.rows(CentralSQL.stations).map(StationRecord.init),
                                        formerKeys: try db.rows(CentralSQL.keyHistory).map(RegistryPlan.FormerKey.init),
                                        now: now)
            for (index, step) in plan.steps.enumerated() {
                if index % 500 == 0 { progress?(index) }
                for statement in step { try db.run(statement) }
            }
            progress?(entries.count)
            return plan.summary
        }
    }

    func retire(station: String, now: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.run(RegistryPlan.retire(station, now: now))
            return db.changesCount > 0
        }
    }

    func write(_ statements: [SQLStatement]) async throws {
        try await pool.write { db in for statement in statements { try db.run(statement) } }
    }

    func read<Result: Sendable>(_ statement: SQLStatement,
                                _ transform: @escaping @Sendable ([any SQLRow]) throws -> Result) async throws -> Result {
        try await pool.read { db in try transform(try db.rows(statement)) }
    }

    func close() async {}
}

/// What a batch reads inside SQLite's write transaction.
struct SQLiteReads: BatchReads {
    let db: Database

    func station(_ id: String) throws -> StationRecord? {
        try db.rows(CentralSQL.station(id)).first.map(StationRecord.init)
    }

    func storedEnvelope(_ record: StationRecord, seq: Int64) throws -> String? {
        try db.rows(CentralSQL.storedEnvelope(record, seq: seq)).first?.text("envelope")
    }

    func report(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? {
        try db.rows(CentralSQL.report(record, eventSeq: eventSeq)).first.map(ReportRecord.init)
    }

    /// Reads the station's events envelopes from the newest back to the one that holds it.
    func reportInStoredEvents(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? {
        let statement = CentralSQL.storedEvents(record)
        let stored = try String.fetchCursor(db, sql: statement.sql, arguments: statement.arguments)
        return try ReportRecord.inStoredEvents(station: record.station, eventSeq: eventSeq) { try stored.next() }
    }
}

extension Row: SQLRow {
    package func integer(_ column: String) throws -> Int64? { self[column] }
    package func text(_ column: String) throws -> String? { self[column] }
}

/// Central's statements through each connection's statement cache: compiled once, not at
/// every use (compiling, with GRDB's authorizer called for every column it reads, was 8 % of
/// central's time at 2,200 heartbeats/s, measured).
extension Database {
    func run(_ statement: SQLStatement) throws {
        try cachedStatement(sql: statement.sql).execute(arguments: statement.arguments)
    }

    func rows(_ statement: SQLStatement) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: statement.sql), arguments: statement.arguments)
    }
}

extension SQLStatement {
    var arguments: StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .integer(let number): number
            case .text(let text): text
            }
        })
    }
}
