import FoundationEssentials
import NazoratCore

/// A polls report as central holds it: from the event chain that recorded it, and signed once
/// its own envelope matched (docs/central-protocol.md, "Polls reports").
package struct ReportRecord: Sendable, Equatable {
    package var station: String
    package var occasion: PollsReport.Occasion
    package var eventSeq: Int64
    package var eventHash: String
    /// The report as the event carried it (JSON).
    package var report: String
    /// The envelope that brought it signed on its own, once it did.
    package var envelopeSeq: Int64?

    package init(station: String, occasion: PollsReport.Occasion, eventSeq: Int64, eventHash: String, report: String) {
        self.station = station
        self.occasion = occasion
        self.eventSeq = eventSeq
        self.eventHash = eventHash
        self.report = report
    }

    /// The report `event` records, if it is a report's event whose payload is a report of its
    /// occasion (anything else stays in the chain only: nothing a report envelope can match).
    package init?(station: String, event: ChainedEvent) {
        guard let occasion = PollsReport.Occasion.allCases.first(where: { $0.eventType.rawValue == event.type }) else {
            return nil
        }
        self.init(station: station, occasion: occasion, eventSeq: event.seq, eventHash: event.hash, report: event.payload)
        guard document?.occasion == occasion else { return nil }
    }

    package init(row: any SQLRow) throws {
        station = try row.text(required: "station")
        occasion = PollsReport.Occasion(rawValue: try row.text(required: "occasion")) ?? .zero
        eventSeq = try row.integer(required: "event_seq")
        eventHash = try row.text(required: "event_hash")
        report = try row.text(required: "report")
        envelopeSeq = try row.integer("envelope_seq")
    }

    /// The report, decoded.
    package var document: PollsReport? { try? JSONDecoder().decode(PollsReport.self, from: Data(report.utf8)) }

    /// The report event `eventSeq` as a stored `events` envelope carried it, from the station's
    /// events envelopes that `next` gives newest first (it stops at the one that holds it).
    package static func inStoredEvents(station: String, eventSeq: Int64,
                                       next: () throws -> String?) rethrows -> ReportRecord? {
        while let text = try next() {
            guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(text.utf8)),
                  let payload = Data(base64Encoded: envelope.payload),
                  let batch = try? JSONDecoder().decode(EventBatchPayload.self, from: payload),
                  let first = batch.events.first else { continue }
            if first.seq > eventSeq { continue }
            return batch.events.first { $0.seq == eventSeq }.flatMap { ReportRecord(station: station, event: $0) }
        }
        return nil
    }

    /// Every station's newest report of each occasion from `records`.
    package static func latest(_ records: [ReportRecord]) -> [String: [PollsReport.Occasion: ReportRecord]] {
        var latest: [String: [PollsReport.Occasion: ReportRecord]] = [:]
        for report in records { latest[report.station, default: [:]][report.occasion] = report }
        return latest
    }
}
