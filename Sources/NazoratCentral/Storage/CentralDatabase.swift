import NazoratCore

/// Where central keeps what it knows: SQLite in a state directory (``SQLiteStore``, the
/// embedded default), or PostgreSQL for a national deployment with several central processes
/// (NazoratCentralPostgres). Both answer alike because the judgement (``Receiver``), the
/// registry's decisions (``RegistryPlan``) and the statements (``CentralSQL``) are shared:
/// a store only opens transactions, reads rows and runs statements.
package protocol CentralDatabase: Sendable {
    /// Runs `judge` on one batch in a transaction (which it may share with other batches:
    /// ``GroupCommit``) and applies the ledger's writes before it commits; an error rolls the
    /// batch back. `judge` may run twice (again alone, after its group failed): it must have
    /// no effect but on the ledger. `headers` are the batch's (unverified)
    /// headers: which stations to lock and which stored envelopes and reports the judgement
    /// may read.
    func batch<Result: Sendable>(headers: [EnvelopeHeader], now: Int64,
                                 _ judge: @escaping @Sendable (inout BatchLedger) throws -> Result) async throws -> Result

    func station(_ id: String) async throws -> StationRecord?
    func stations() async throws -> [StationRecord]
    /// Every station's newest report of each occasion, of its current generation.
    func latestReports() async throws -> [String: [PollsReport.Occasion: ReportRecord]]
    /// Refused envelopes by reason, since the database was made.
    func rejectionCounts() async throws -> [String: Int]

    /// Applies the plan ``RegistryPlan`` makes from the registry as the transaction finds it,
    /// or throws its ``RegistryFile/Problems`` with nothing applied.
    func enroll(_ entries: [RegistryFile.Entry], keepPlaces: Bool, now: Int64,
                progress: (@Sendable (Int) -> Void)?) async throws -> Enrolment
    /// Retires `station`: its envelopes are refused from now on; what it sent stays. False if
    /// it is not enrolled.
    func retire(station: String, now: Int64) async throws -> Bool

    /// Runs `statements` in one transaction (the dashboard's accounts, sessions and audit).
    func write(_ statements: [SQLStatement]) async throws
    /// The rows `statement` selects, as `transform` makes them.
    func read<Result: Sendable>(_ statement: SQLStatement,
                                _ transform: @escaping @Sendable ([any SQLRow]) throws -> Result) async throws -> Result

    /// Ends the store's connections.
    func close() async
}

extension CentralDatabase {
    package func enroll(_ entries: [RegistryFile.Entry], keepPlaces: Bool = false, now: Int64) async throws -> Enrolment {
        try await enroll(entries, keepPlaces: keepPlaces, now: now, progress: nil)
    }

    /// One station's newest report of each occasion (what ``latestReports()`` holds for it,
    /// without reading the country's).
    package func latestReports(of record: StationRecord) async throws -> [PollsReport.Occasion: ReportRecord] {
        ReportRecord.latest(try await read(CentralSQL.reports(record)) { try $0.map(ReportRecord.init) })[record.station] ?? [:]
    }
}
