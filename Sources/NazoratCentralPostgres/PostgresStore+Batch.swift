import NazoratCentral
import NazoratCore
import PostgresNIO

/// A batch and an enrolment, each in one PostgreSQL transaction.
extension PostgresStore {
    /// Locks the batch's stations, reads what the judgement may need (a round trip each, not
    /// one per envelope), judges, and writes the ledger's statements before the commit.
    package func batch<Result: Sendable>(headers: [EnvelopeHeader], now: Int64,
                                         _ judge: @escaping @Sendable (inout BatchLedger) throws -> Result) async throws -> Result {
        try await timed { [self] in
            try await client.withTransaction(logger: logger) { connection in
                let reads = try await prefetch(headers, on: connection)
                var ledger = BatchLedger(reads: reads, now: now)
                let result = try judge(&ledger)
                for statement in ledger.statements { try await run(statement, on: connection) }
                return result
            }
        }
    }

    /// The batch's station, locked, with the stored envelopes its repeats name and, for a
    /// report, the station's reports and events envelopes; and the first other station named,
    /// unlocked, for the refusal's record (the judgement stops there: a batch is one station's).
    private func prefetch(_ headers: [EnvelopeHeader], on connection: PostgresConnection) async throws -> PostgresBatchReads {
        var reads = PostgresBatchReads()
        guard let station = headers.first?.station else { return reads }
        let locked = try await rows(SQLStatement(CentralSQL.station(station).sql + " FOR UPDATE", [.text(station)]), on: connection)
        if let foreign = headers.first(where: { $0.station != station })?.station,
           let row = try await rows(CentralSQL.station(foreign), on: connection).first {
            reads.stations[foreign] = try StationRecord(row: row)
        }
        guard let row = locked.first else { return reads }
        let record = try StationRecord(row: row)
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

    /// Under the registry's advisory lock: two enrolments at once would each check keys
    /// against a registry the other is changing.
    package func enroll(_ entries: [RegistryFile.Entry], keepPlaces: Bool, now: Int64,
                        progress: (@Sendable (Int) -> Void)?) async throws -> Enrolment {
        // No deadline: 11,000 stations take longer than a request may wait.
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.registryLock))", logger: logger)
                let known = try await rows(CentralSQL.stations, on: connection).map(StationRecord.init)
                let former = try await rows(CentralSQL.keyHistory, on: connection).map(RegistryPlan.FormerKey.init)
                let plan = try RegistryPlan(entries, keepPlaces: keepPlaces, known: known, formerKeys: former, now: now)
                for (index, step) in plan.steps.enumerated() {
                    if index % 500 == 0 { progress?(index) }
                    for statement in step { try await run(statement, on: connection) }
                }
                progress?(entries.count)
                return plan.summary
            }
        } catch let error as PostgresTransactionError where error.closureError is RegistryFile.Problems {
            throw error.closureError!
        } catch {
            throw PostgresUnavailable(message: PostgresUnavailable.describe(error, url: url))
        }
    }

    package func retire(station: String, now: Int64) async throws -> Bool {
        try await timed { [self] in
            try await client.withConnection { connection in
                try await run(RegistryPlan.retire(station, now: now), on: connection)
                return try await rows(CentralSQL.station(station), on: connection).first != nil
            }
        }
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
