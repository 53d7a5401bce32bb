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

    /// The batch's stations (locked, in one order so that two batches cannot deadlock), the
    /// stored envelopes its repeats name, and the reports its report envelopes may match.
    private func prefetch(_ headers: [EnvelopeHeader], on connection: PostgresConnection) async throws -> PostgresBatchReads {
        var reads = PostgresBatchReads()
        let names = Array(Set(headers.map(\.station))).sorted()
        let locked = try await connection.query(
            "SELECT * FROM stations WHERE station = ANY(\(names)) ORDER BY station FOR UPDATE", logger: logger)
        for try await row in locked {
            let record = try StationRecord(row: row.makeRandomAccess())
            reads.stations[record.station] = record
        }
        for record in reads.stations.values {
            let own = headers.filter { $0.station == record.station }
            let repeats = own.map(\.seq).filter { $0 <= record.acceptedSeq }
            if !repeats.isEmpty {
                let rows = try await connection.query("""
                    SELECT seq, envelope FROM envelopes WHERE station = \(record.station) AND generation = \(record.generation)
                    AND seq = ANY(\(repeats))
                    """, logger: logger)
                for try await (seq, envelope) in rows.decode((Int64, String).self) {
                    reads.envelopes[PostgresBatchReads.Key(station: record.station, seq: seq)] = envelope
                }
            }
            if own.contains(where: { PollsReport.Occasion(envelopeKind: $0.kind) != nil }) {
                let statement = SQLStatement("SELECT * FROM reports WHERE station = ? AND generation = ?",
                                             [.text(record.station), .integer(record.generation)])
                for row in try await rows(statement, on: connection) {
                    let report = try ReportRecord(row: row)
                    reads.reports[PostgresBatchReads.Key(station: record.station, seq: report.eventSeq)] = report
                }
            }
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
        } catch let error as PostgresTransactionError {
            if let problems = error.closureError as? RegistryFile.Problems { throw problems }
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

/// What a batch reads, fetched when its transaction began (``PostgresStore/batch(headers:now:_:)``).
struct PostgresBatchReads: BatchReads {
    struct Key: Hashable {
        var station: String
        var seq: Int64
    }

    var stations: [String: StationRecord] = [:]
    /// The stored envelopes of the batch's repeats, current generation.
    var envelopes: [Key: String] = [:]
    /// The reports of the current generation, by event seq.
    var reports: [Key: ReportRecord] = [:]

    func station(_ id: String) throws -> StationRecord? { stations[id] }

    func storedEnvelope(_ record: StationRecord, seq: Int64) throws -> String? {
        envelopes[Key(station: record.station, seq: seq)]
    }

    func report(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? {
        reports[Key(station: record.station, seq: eventSeq)]
    }

    /// None: a PostgreSQL store kept report events apart from its first day, so a report
    /// event it received is in `reports` (the search is for SQLite databases older than that).
    func reportInStoredEvents(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? { nil }
}
