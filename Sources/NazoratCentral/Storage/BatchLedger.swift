/// What a batch's judgement reads: the store as the batch's transaction finds it, with the
/// batch's stations locked (SQLite's one writer, PostgreSQL's `FOR UPDATE`).
package protocol BatchReads {
    func station(_ id: String) throws -> StationRecord?
    /// The envelope `seq` of the station's current generation.
    func storedEnvelope(_ record: StationRecord, seq: Int64) throws -> String?
    /// The report recorded by event `eventSeq` of the station's current generation.
    func report(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord?
    /// The report event `eventSeq` as a stored `events` envelope carried it: for report events
    /// that arrived before central kept them apart (a central upgraded after its stations).
    func reportInStoredEvents(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord?
}

/// One batch's judgement (``Receiver``): it reads through to the store and keeps its writes,
/// which the store then applies in the same transaction (``statements``). Reads see the
/// batch's own earlier envelopes, so that a batch can carry a report's event and the report.
package struct BatchLedger {
    /// What an accepted envelope changes in the reports table.
    package enum ReportChange: Sendable, Equatable {
        case none
        /// Report events an `events` envelope carried.
        case recorded([ReportRecord])
        /// The report of event `eventSeq` arrived signed in envelope `envelopeSeq`; `recovered`
        /// is its event when it was found in the stored envelopes only.
        case signed(eventSeq: Int64, envelopeSeq: Int64, recovered: ReportRecord?)
    }

    package struct Accepted: Sendable, Equatable {
        /// The station as this envelope left it.
        package let record: StationRecord
        package let seq: Int64
        package let kind: String
        package let envelope: String
        let reports: ReportChange
    }

    /// A refused envelope: why, and what it was.
    package struct Rejection: Sendable, Equatable {
        var station: String?
        var generation: Int64?
        var seq: Int64?
        var reason: String
        var envelope: String
    }

    private let reads: any BatchReads
    package let now: Int64
    package private(set) var accepted: [Accepted] = []
    package private(set) var rejection: Rejection?
    /// Each station as the batch leaves it.
    private var stations: [String: StationRecord] = [:]

    package init(reads: any BatchReads, now: Int64) {
        self.reads = reads
        self.now = now
    }

    package func station(_ id: String) throws -> StationRecord? {
        try stations[id] ?? reads.station(id)
    }

    package func storedEnvelope(_ record: StationRecord, seq: Int64) throws -> String? {
        if let pending = accepted.last(where: { $0.record.station == record.station && $0.record.generation == record.generation
                                                 && $0.seq == seq }) {
            return pending.envelope
        }
        return try reads.storedEnvelope(record, seq: seq)
    }

    package func report(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? {
        for pending in accepted where pending.record.station == record.station && pending.record.generation == record.generation {
            if case .recorded(let reports) = pending.reports, let report = reports.first(where: { $0.eventSeq == eventSeq }) {
                return report
            }
        }
        return try reads.report(record, eventSeq: eventSeq)
    }

    package func reportInStoredEvents(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? {
        try reads.reportInStoredEvents(record, eventSeq: eventSeq)
    }

    /// `record` is the station as this envelope leaves it.
    package mutating func accept(_ record: StationRecord, seq: Int64, kind: String, envelope: String, reports: ReportChange) {
        accepted.append(Accepted(record: record, seq: seq, kind: kind, envelope: envelope, reports: reports))
        stations[record.station] = record
    }

    package mutating func reject(station: String?, generation: Int64?, seq: Int64?, reason: String, envelope: String) {
        rejection = Rejection(station: station, generation: generation, seq: seq, reason: reason, envelope: envelope)
    }

    /// The batch's writes in order: the reports its envelopes change, each envelope, each
    /// station's new state once (not once per envelope), then the refusal. A store may write
    /// ``accepted`` and ``stationsLeft`` its own way instead (PostgreSQL: a group's in one
    /// statement each), after ``reportStatements`` and the refusal: no write depends on another
    /// of those kinds.
    package var statements: [SQLStatement] {
        reportStatements + accepted.map { CentralSQL.insertEnvelope($0.record, seq: $0.seq, kind: $0.kind, envelope: $0.envelope, now: now) }
            + stationsLeft.map(CentralSQL.update) + (rejectionStatement.map { [$0] } ?? [])
    }

    /// What the accepted envelopes change in the reports table, in their order.
    package var reportStatements: [SQLStatement] {
        accepted.flatMap { item -> [SQLStatement] in
            switch item.reports {
            case .none: return []
            case .recorded(let reports):
                return reports.map { CentralSQL.insert($0, generation: item.record.generation, now: now) }
            case .signed(let eventSeq, let envelopeSeq, let recovered):
                return (recovered.map { [CentralSQL.insert($0, generation: item.record.generation, now: now)] } ?? [])
                    + [CentralSQL.signReport(item.record, eventSeq: eventSeq, envelopeSeq: envelopeSeq)]
            }
        }
    }

    /// Each station the batch changed, as it leaves it, in id order.
    package var stationsLeft: [StationRecord] {
        stations.keys.sorted().compactMap { stations[$0] }
    }

    package var rejectionStatement: SQLStatement? {
        rejection.map { CentralSQL.reject($0, now: now) }
    }
}
