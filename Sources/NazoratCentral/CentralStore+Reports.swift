import FoundationEssentials
import GRDB
import NazoratCore

/// The zero and closing reports central holds: each from the event chain that recorded it,
/// and signed once its own envelope matched (docs/central-protocol.md, "Polls reports").
extension CentralStore {
    /// Every station's newest report of each occasion, of its current generation.
    func latestReports() throws -> [String: [PollsReport.Occasion: ReportRecord]] {
        try pool.read { db in
            var latest: [String: [PollsReport.Occasion: ReportRecord]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.* FROM reports r
                JOIN (SELECT r.station, r.generation, r.occasion, MAX(r.event_seq) AS newest FROM reports r
                      JOIN stations s ON s.station = r.station AND s.generation = r.generation
                      GROUP BY r.station, r.generation, r.occasion) n
                  ON r.station = n.station AND r.generation = n.generation AND r.occasion = n.occasion
                 AND r.event_seq = n.newest
                """)
            for row in rows {
                let report = ReportRecord(row: row)
                latest[report.station, default: [:]][report.occasion] = report
            }
            return latest
        }
    }
}

extension CentralTransaction {
    /// The report recorded by event `eventSeq` of the station's current generation, if central received it.
    func report(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM reports WHERE station = ? AND generation = ? AND event_seq = ?",
                         arguments: [record.station, record.generation, eventSeq]).map(ReportRecord.init)
    }

    /// The report event `eventSeq` as a stored `events` envelope carried it: for report events
    /// that arrived before central kept them apart (a central upgraded after its stations).
    /// Reads the station's events envelopes from the newest back to the one that holds it.
    func reportInStoredEvents(_ record: StationRecord, eventSeq: Int64) throws -> ReportRecord? {
        let stored = try String.fetchCursor(db, sql: """
            SELECT envelope FROM envelopes WHERE station = ? AND generation = ? AND kind = 'events' ORDER BY seq DESC
            """, arguments: [record.station, record.generation])
        while let text = try stored.next() {
            guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(text.utf8)),
                  let payload = Data(base64Encoded: envelope.payload),
                  let batch = try? JSONDecoder().decode(EventBatchPayload.self, from: payload),
                  let first = batch.events.first else { continue }
            if first.seq > eventSeq { continue }
            return batch.events.first { $0.seq == eventSeq }.flatMap { ReportRecord(station: record.station, event: $0) }
        }
        return nil
    }

    func insert(_ report: ReportRecord, generation: Int64, now: Int64) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO reports (station, generation, occasion, event_seq, event_hash, report, received_usec)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [report.station, generation, report.occasion.rawValue, report.eventSeq, report.eventHash,
                             report.report, now])
    }
}

/// A polls report as central holds it.
struct ReportRecord: Sendable, Equatable {
    var station: String
    var occasion: PollsReport.Occasion
    var eventSeq: Int64
    var eventHash: String
    /// The report as the event carried it (JSON).
    var report: String
    /// The envelope that brought it signed on its own, once it did.
    var envelopeSeq: Int64?

    init(station: String, occasion: PollsReport.Occasion, eventSeq: Int64, eventHash: String, report: String) {
        self.station = station
        self.occasion = occasion
        self.eventSeq = eventSeq
        self.eventHash = eventHash
        self.report = report
    }

    /// The report `event` records, if it is a report's event whose payload is a report of its
    /// occasion (anything else stays in the chain only: nothing a report envelope can match).
    init?(station: String, event: ChainedEvent) {
        guard let occasion = PollsReport.Occasion.allCases.first(where: { $0.eventType.rawValue == event.type }) else {
            return nil
        }
        self.init(station: station, occasion: occasion, eventSeq: event.seq, eventHash: event.hash, report: event.payload)
        guard document?.occasion == occasion else { return nil }
    }

    init(row: Row) {
        station = row["station"]
        occasion = PollsReport.Occasion(rawValue: row["occasion"]) ?? .zero
        eventSeq = row["event_seq"]
        eventHash = row["event_hash"]
        report = row["report"]
        envelopeSeq = row["envelope_seq"]
    }

    /// The report, decoded.
    var document: PollsReport? { try? JSONDecoder().decode(PollsReport.self, from: Data(report.utf8)) }
}
