import NazoratCentral
import NazoratCore
import PostgresNIO

/// A batch waiting for its group's transaction: the stations its headers name, and its
/// judgement, which gives the answer for after the commit.
struct BatchWork: Sendable {
    let headers: [EnvelopeHeader]
    let now: Int64
    let judge: @Sendable (inout BatchLedger) throws -> @Sendable () -> Void
}

/// A batch and an enrolment, each in one PostgreSQL transaction.
extension PostgresStore {
    /// Up to two groups at once, of up to 64 stations' batches each: the pool's 16
    /// connections also serve the views and the dashboard; two rather than four make larger
    /// groups at a high rate (fewer commits, measured: docs/central-storage.md) and keep the
    /// national rate's p99 near 20 ms. A batch waits for a group at most the deadline, and a
    /// group's transaction as long again: 503 `storage` within about 10 s.
    static func batches(on session: PostgresSession) -> GroupCommit<BatchWork> {
        GroupCommit(concurrency: 2, largest: 64, maximumWait: session.deadline,
                    retriesAlone: { ($0 as? PostgresUnavailable)?.batchsOwn ?? false }) { works in
            try await session.timed {
                try await session.client.withTransaction(logger: session.logger) { connection in
                    try await session.commit(works, on: connection)
                }
            }
        }
    }

    package func batch<Result: Sendable>(headers: [EnvelopeHeader], now: Int64,
                                         _ judge: @escaping @Sendable (inout BatchLedger) throws -> Result) async throws -> Result {
        try await batches.submit(station: headers.first?.station) { answer in
            BatchWork(headers: headers, now: now) { ledger in
                let result = try judge(&ledger)
                return { answer(result) }
            }
        }
    }

    /// Under the registry's advisory lock: two enrolments at once would each check keys
    /// against a registry the other is changing.
    package func enroll(_ entries: [RegistryFile.Entry], keepPlaces: Bool, now: Int64,
                        progress: (@Sendable (Int) -> Void)?) async throws -> Enrolment {
        // No deadline: 11,000 stations take longer than a request may wait.
        do {
            return try await session.client.withTransaction(logger: session.logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.registryLock))", logger: session.logger)
                // Every station's row, in id order as a batch group locks them: the plan then
                // updates rows in the file's order, which taken lock by lock could close a
                // cycle with a group (it holds A and waits for Z, the enrolment the reverse).
                try await connection.query("SELECT station FROM stations ORDER BY station FOR UPDATE", logger: session.logger)
                let known = try await session.rows(CentralSQL.stations, on: connection).map(StationRecord.init)
                let former = try await session.rows(CentralSQL.keyHistory, on: connection).map(RegistryPlan.FormerKey.init)
                let plan = try RegistryPlan(entries, keepPlaces: keepPlaces, known: known, formerKeys: former, now: now)
                for (index, step) in plan.steps.enumerated() {
                    if index % 500 == 0 { progress?(index) }
                    for statement in step { try await session.run(statement, on: connection) }
                }
                progress?(entries.count)
                return plan.summary
            }
        } catch let error as PostgresTransactionError where error.closureError is RegistryFile.Problems {
            throw error.closureError!
        } catch {
            throw PostgresUnavailable(message: PostgresUnavailable.describe(error, url: session.url))
        }
    }

    package func retire(station: String, now: Int64) async throws -> Bool {
        try await session.timed { [session] in
            try await session.client.withConnection { connection in
                try await session.run(RegistryPlan.retire(station, now: now), on: connection)
                return try await session.rows(CentralSQL.station(station), on: connection).first != nil
            }
        }
    }
}

extension PostgresSession {
    /// A group's batches in its transaction. Their stations are locked at once, in the order
    /// of their ids (every process locks alike, so two never wait for each other in a cycle);
    /// then each batch reads what its judgement may need and is judged, in turn; then the
    /// group writes: each batch's reports and refusal, then all its envelopes and stations in
    /// one statement. Judging every batch before any writes is judging each as if alone: a
    /// group holds one batch per station, and a batch reads only its own station's rows (and
    /// another's generation, for a refusal's record, which a batch never changes).
    func commit(_ works: [BatchWork], on connection: PostgresConnection) async throws -> [@Sendable () -> Void] {
        var locked: [String: StationRecord] = [:]
        let stations = works.compactMap(\.headers.first?.station)
        if !stations.isEmpty {
            for try await record in try await connection.execute(LockStations(stations: stations), logger: logger) {
                locked[record.station] = record
            }
        }
        var answers: [@Sendable () -> Void] = [], ledgers: [BatchLedger] = []
        for work in works {
            var ledger = BatchLedger(reads: try await prefetch(work.headers, locked: locked, on: connection), now: work.now)
            answers.append(try work.judge(&ledger))
            ledgers.append(ledger)
        }
        for ledger in ledgers {
            for statement in ledger.reportStatements + (ledger.rejectionStatement.map { [$0] } ?? []) {
                try await run(statement, on: connection)
            }
        }
        if let writes = WriteGroup(ledgers) { _ = try await connection.execute(writes, logger: logger) }
        return answers
    }

    /// The batch's station as the lock found it, with the stored envelopes its repeats name
    /// and, for a report, the station's reports and events envelopes; and the first other
    /// station named, unlocked, for the refusal's record (the judgement stops there: a batch
    /// is one station's).
    private func prefetch(_ headers: [EnvelopeHeader], locked: [String: StationRecord],
                          on connection: PostgresConnection) async throws -> PostgresBatchReads {
        var reads = PostgresBatchReads()
        guard let station = headers.first?.station else { return reads }
        if let foreign = headers.first(where: { $0.station != station })?.station,
           let row = try await rows(CentralSQL.station(foreign), on: connection).first {
            reads.stations[foreign] = try StationRecord(row: row)
        }
        guard let record = locked[station] else { return reads }
        reads.stations[station] = record
        let own = headers.prefix { $0.station == station }
        let repeats = own.map(\.seq).filter { $0 <= record.acceptedSeq }
        if !repeats.isEmpty {
            let stored = try await connection.query("""
                SELECT seq, envelope FROM envelopes WHERE station = \(station) AND generation = \(record.generation)
                AND seq = ANY(\(repeats))
                """, logger: logger)
            for try await (seq, envelope) in stored.decode((Int64, String).self) { reads.envelopes[seq] = envelope }
        }
        if own.contains(where: { PollsReport.Occasion(envelopeKind: $0.kind) != nil }) {
            let statement = SQLStatement("SELECT * FROM reports WHERE station = ? AND generation = ?",
                                         [.text(station), .integer(record.generation)])
            for row in try await rows(statement, on: connection) {
                let report = try ReportRecord(row: row)
                reads.reports[report.eventSeq] = report
            }
            // Twice an election per station: the zero and the closing report.
            reads.storedEvents = try await rows(CentralSQL.storedEvents(record), on: connection).map { try $0.text(required: "envelope") }
        }
        return reads
    }
}

/// What a batch reads, fetched when its transaction began (``PostgresStore/batch(headers:now:_:)``):
/// the judgement reads only its station's current generation.
struct PostgresBatchReads: BatchReads {
    var stations: [String: StationRecord] = [:]
    /// The stored envelopes of the batch's repeats, by seq.
    var envelopes: [Int64: String] = [:]
    /// The reports, by event seq.
    var reports: [Int64: ReportRecord] = [:]
    /// The events envelopes, newest first: for a report event that has no row in `reports`
    /// (one that arrived before central knew its occasion).
    var storedEvents: [String] = []

    func station(_ id: String) throws -> StationRecord? { stations[id] }

    func storedEnvelope(_ record: StationRecord, seq: Int64) throws -> String? { envelopes[seq] }

    func report(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? { reports[eventSeq] }

    func reportInStoredEvents(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? {
        var stored = storedEvents.makeIterator()
        return ReportRecord.inStoredEvents(station: record.station, eventSeq: eventSeq) { stored.next() }
    }
}
