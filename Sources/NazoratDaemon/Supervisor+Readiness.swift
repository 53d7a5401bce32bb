import NazoratCore
import NazoratStore

/// The zero report and the closing report (docs/polls-reports.md): made from the seal, the
/// devices present, the counters and the log, in the actor, so that what the report says is
/// what the phase change acted on.
extension Supervisor {
    /// What a report needs from outside the actor: who the station is, the walk of the whole
    /// log (made beforehand, on a thread of its own) and the clock against central.
    struct ReportContext: Sendable {
        var station: String
        var keyId: String
        var log: PollsReport.LogState
        var clock: CentralClock?
    }

    /// The check as of now, with the log's current head.
    func readiness(_ context: ReportContext) async -> ReadinessCheck {
        var log = context.log
        log.head = await self.log.currentHead.map { LogHead(seq: $0.seq, hash: $0.hash) }
        return ReadinessCheck(station: context.station, version: Daemon.version, keyId: context.keyId,
                              inventory: integrity.inventory, present: watcher.unorderedDevices,
                              counters: counters.scanners, log: log, clock: context.clock)
    }

    /// The zero report opening the polls now would make (before they open).
    func previewZeroReport(_ context: ReportContext, by peer: Peer) async -> PollsReport {
        await readiness(context).report(.zero, by: peer.description, at: clock.now().realtimeUSec, preview: true)
    }

    /// Refuses an opening that `report` finds not ready and nobody forced: recorded, and the
    /// error names every problem.
    func refuseOpening(_ report: PollsReport, by peer: Peer, time: EventTime) async -> CommandError {
        let blocking = report.problems.filter(\.blocksOpening)
        let details = blocking.map(\.detail).joined(separator: "; ")
        await log.record(StoreBatch(drafts: [EventDraft(
            type: .pollsOpenRefused, severity: .warning, subject: "polls",
            message: "opening the polls refused (\(peer.description)): \(details)",
            payload: JSONText.encode(OpeningPayload(problems: blocking, peer: peer, reason: nil)), time: time)]))
        return .notReady("the polls cannot open: \(details). Put it right and open again (nazoratctl report zero "
                         + "shows what is wrong), or, as an administrator, open with --force --reason")
    }

    /// The events of a forced opening (if forced) and of `report` itself.
    static func reportDrafts(_ report: PollsReport, peer: Peer, time: EventTime) -> [EventDraft] {
        var drafts: [EventDraft] = []
        if let force = report.force {
            let blocking = report.problems.filter(\.blocksOpening)
            drafts.append(EventDraft(
                type: .pollsOpenForced, severity: .warning, subject: "polls",
                message: "the polls opened by force (\(force.by), reason: \(force.reason)) despite: "
                    + blocking.map(\.detail).joined(separator: "; "),
                payload: JSONText.encode(OpeningPayload(problems: blocking, peer: peer, reason: force.reason)), time: time))
        }
        let name = report.occasion == .zero ? "zero report" : "closing report"
        let verdict = report.occasion == .closing ? "\(report.problems.count) problems"
            : report.isReady ? "ready" : "not ready, opened by force"
        let present = report.devices.count(where: \.present)
        drafts.append(EventDraft(
            type: report.occasion.eventType, severity: report.isReady || report.occasion == .closing ? .notice : .warning,
            subject: "polls",
            message: "\(name): \(verdict); \(present) of \(report.devices.count) sealed devices present; log head "
                + "\(report.log.head?.seq ?? 0), \(report.log.intact ? "verifies" : "does NOT verify")",
            payload: JSONText.encode(report), time: time))
        return drafts
    }
}

/// The payload of a refused or forced opening.
private struct OpeningPayload: Encodable {
    var problems: [ReadinessProblem]
    var peer: Peer
    var reason: String?
}
