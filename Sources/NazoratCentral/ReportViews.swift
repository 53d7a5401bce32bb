import FoundationEssentials
import NazoratCore

/// A station's newest zero or closing report in `GET /v1/stations`.
struct ReportSummary: Encodable {
    /// The station's event that records it.
    var eventSeq: Int64
    /// When the station made it (ISO 8601, the station's clock).
    var made: String
    /// No problem that refuses an opening (zero report).
    var ready: Bool
    /// The polls opened by force despite the problems.
    var forced: Bool
    var problems: [ReadinessProblem]
    /// The report's own signed envelope arrived and is the one the chain recorded.
    var signed: Bool

    init?(_ record: ReportRecord) {
        guard let report = record.document else { return nil }
        eventSeq = record.eventSeq
        made = UTCTime.rfc3339(microseconds: report.realtimeUsec)
        ready = report.isReady
        forced = report.force != nil
        problems = report.problems
        signed = record.envelopeSeq != nil
    }
}

/// `GET /v1/stations/{station}/reports/{zero|closing}`: the newest report whole, with how
/// central holds it.
struct StationReportView: Encodable {
    var station: String
    var eventSeq: Int64
    var eventHash: String
    /// The seq of the report's own envelope, once it arrived and matched the chain.
    var envelopeSeq: Int64?
    var signed: Bool
    var report: PollsReport

    init(_ record: ReportRecord, report: PollsReport) {
        station = record.station
        eventSeq = record.eventSeq
        eventHash = record.eventHash
        envelopeSeq = record.envelopeSeq
        signed = record.envelopeSeq != nil
        self.report = report
    }

    /// The station and occasion of a report's path.
    static func path(_ path: String) -> (station: String, occasion: PollsReport.Occasion)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].isEmpty, parts[1] == "v1", parts[2] == "stations", !parts[3].isEmpty,
              parts[4] == "reports", let occasion = PollsReport.Occasion(rawValue: String(parts[5])) else { return nil }
        return (String(parts[3]), occasion)
    }
}
