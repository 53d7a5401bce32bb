/// `zero-report` and `closing-report`: a polls report, signed on its own, naming the event
/// of the chain that records it. Central accepts it only if that event, which it received
/// before, carries the very same report (docs/central-protocol.md).
public struct PollsReportPayload: Codable, Sendable, Equatable {
    public var station: String
    public var seq: Int64
    public var kind: String
    public var createdUsec: Int64
    /// The seq and hash of the `polls.zero-report` or `polls.closing-report` event.
    public var event: LogHead
    public var report: PollsReport

    public init(station: String, seq: Int64, createdUsec: Int64, event: LogHead, report: PollsReport) {
        self.station = station
        self.seq = seq
        kind = report.occasion.envelopeKind
        self.createdUsec = createdUsec
        self.event = event
        self.report = report
    }
}
