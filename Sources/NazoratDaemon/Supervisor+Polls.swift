import NazoratCore
import NazoratStore

/// The polls phases and the ballot counters: setup -> open -> closed.
extension Supervisor {
    /// The polls phase in force.
    var phase: PollsPhase { integrity.phase }

    /// The counters of every scanner port known.
    var scannerCounters: [String: ScannerRecord] { counters.scanners }

    /// The outcome of a counter report, as the API answers it.
    enum CounterOutcome: Sendable, Equatable {
        /// Accepted and on disk; `changed` false for a repeat.
        case accepted(changed: Bool)
        /// Refused as an anomaly; the values are kept as evidence and an alarm is open.
        case anomaly(CounterBook.Anomaly, detail: String)
        /// Judged, but not yet on disk (storage fails): not acknowledged, report again.
        case notDurable
    }

    /// Judges and records a scanner software's report for the scanner at `port`.
    func report(_ reported: ScannerCounters, port: String, by peer: Peer) async -> CounterOutcome {
        let time = clock.now()
        let sealed = integrity.inventory?.items.first { $0.port == port && $0.role == .ballotScanner }
        let connected = sealed.map { item in watcher.unorderedDevices.contains(where: item.isSealed) } ?? false
        let outcome = counters.report(reported, port: port, phase: phase, isSealedScanner: sealed != nil,
                                      isConnected: connected)
        var record = StoreBatch(drafts: [])
        switch outcome {
        case .accepted(changed: false):
            // A repeat changes nothing and records nothing, but is acknowledged only once
            // what it repeats is on disk.
            return await log.record(record) ? .accepted(changed: false) : .notDurable
        case .accepted(changed: true):
            record.tables.counters[port] = counters.scanners[port]
            record.drafts.append(EventDraft(
                type: .countersReported, severity: .info, subject: port,
                message: "counters of \(port): public \(reported.publicCount), protective \(reported.protectiveCount)",
                payload: JSONText.encode(CountersPayload(port: port, counters: reported, anomaly: nil, peer: peer)),
                time: time))
        case .anomaly(let anomaly, let detail):
            record.tables.evidence.append(CounterEvidence(port: port, counters: reported, anomaly: anomaly.rawValue))
            record.drafts.append(EventDraft(
                type: .countersAnomaly, severity: anomaly.severity, subject: port,
                message: "counter anomaly: \(detail) (reported by \(peer.description); kept as evidence)",
                payload: JSONText.encode(CountersPayload(port: port, counters: reported, anomaly: anomaly.rawValue,
                                                         peer: peer)),
                time: time))
            let alarm = Alarm(kind: .counters(anomaly), severity: anomaly.severity, subject: port, detail: detail)
            if let (change, draft) = integrity.book.raise(alarm, phase: phase, time: time) {
                record.tables.alarmChanges.append(change)
                record.drafts.append(draft)
            }
        }
        let durable = await log.record(record)
        board.countersChanged(counters.scanners, alarms: Array(integrity.book.open.values))
        guard durable else { return .notDurable }
        if case .anomaly(let anomaly, let detail) = outcome { return .anomaly(anomaly, detail: detail) }
        return outcome == .accepted(changed: true) ? .accepted(changed: true) : .accepted(changed: false)
    }

    /// Moves the polls to `next` (only forward: setup -> open -> closed). Opening needs a
    /// ready station (``ReadinessProblem/blocksOpening``) unless an administrator forces it;
    /// it resets the public counters, records the protective ones and the zero report.
    /// Closing freezes the counters and records the closing report. Device alarms take the
    /// new phase's severity.
    func changePhase(to next: PollsPhase, by peer: Peer, context: ReportContext,
                     force: PollsReport.Force? = nil) async throws(CommandError) -> PollsPhase {
        // The check awaits the log's head: before the phase is tested, so that nothing can
        // interleave between the test and the change.
        let check = await readiness(context)
        let current = phase
        guard (current, next) == (.setup, .open) || (current, next) == (.open, .closed) else {
            throw .invalid("the polls are \(current.rawValue); they can only go setup -> open -> closed")
        }
        let time = clock.now()
        var report = check.report(next == .open ? .zero : .closing, by: peer.description, at: time.realtimeUSec)
        if next == .open, !report.isReady {
            guard let force else { throw await refuseOpening(report, by: peer, time: time) }
            report.force = force
        }
        var record = StoreBatch(drafts: [], metadata: [.pollsPhase: next.rawValue])
        if next == .open {
            let scanners = integrity.inventory?.items.filter { $0.role == .ballotScanner }.map(\.port) ?? []
            counters.openPolls(scannerPorts: scanners)
            record.tables.counters = counters.scanners
            record.drafts.append(EventDraft(
                type: .pollsOpened, severity: .notice, subject: "polls",
                message: "polls opened by \(peer.description): public counters reset to 0, protective counters recorded: "
                    + Self.countsText(counters.scanners),
                payload: JSONText.encode(PhasePayload(phase: next.rawValue, scanners: CounterSummary.list(counters.scanners, phase: .closed),
                                                      peer: peer)),
                time: time))
        } else {
            record.drafts.append(EventDraft(
                type: .pollsClosed, severity: .notice, subject: "polls",
                message: "polls closed by \(peer.description); final counts: " + Self.countsText(counters.scanners),
                payload: JSONText.encode(PhasePayload(phase: next.rawValue, scanners: CounterSummary.list(counters.scanners, phase: .closed),
                                                      peer: peer)),
                time: time))
        }
        record.drafts += Self.reportDrafts(report, peer: peer, time: time)
        integrity.phase = next
        let regraded = integrity.book.regrade(for: next, time: time)
        record.drafts += regraded.drafts
        record.tables.alarmChanges += regraded.changes
        guard await log.record(record) else { throw .failed("the phase change could not be written: storage fails") }
        _ = await log.checkpointHead()
        board.phaseChanged(next, counters: counters.scanners, alarms: Array(integrity.book.open.values))
        return next
    }

    /// "1-1.1 public 218 protective 1218, ..." for the phase events' messages.
    static func countsText(_ scanners: [String: ScannerRecord]) -> String {
        let entries = CounterSummary.list(scanners, phase: .closed)
        guard !entries.isEmpty else { return "no scanners" }
        return entries.map { "\($0.port) public \($0.public.map(String.init) ?? "-") protective \($0.protective.map(String.init) ?? "-")" }
            .joined(separator: ", ")
    }

    /// Records per-contest totals (scanner software, after close only: VVSG 2.0 1.1.9-K).
    func submitResults(_ json: String, contests: Int, by peer: Peer) async throws(CommandError) {
        let time = clock.now()
        guard phase == .closed else {
            await log.record(StoreBatch(drafts: [EventDraft(
                type: .resultsRefused, severity: .warning, subject: "results",
                message: "per-contest totals refused: the polls are \(phase.rawValue) (totals only after close); "
                    + "submitted by \(peer.description) (\(peer.command))",
                payload: JSONText.encode(ControlAudit(request: "POST /v1/results", peer: peer,
                                                      reason: "polls \(phase.rawValue)")), time: time)]))
            throw .conflict("per-contest totals are accepted only after the polls close (VVSG 2.0 1.1.9-K); "
                            + "the polls are \(phase.rawValue)")
        }
        var record = StoreBatch(drafts: [EventDraft(
            type: .resultsSubmitted, severity: .notice, subject: "results",
            message: "per-contest totals for \(contests) contests submitted by \(peer.description)",
            payload: json, time: time)])
        record.tables.results = json
        guard await log.record(record) else { throw .failed("the totals could not be written: storage fails") }
    }
}

/// The payload of a counter report's event.
private struct CountersPayload: Encodable {
    var port: String
    var counters: ScannerCounters
    var anomaly: String?
    var peer: Peer
}

/// The payload of a phase change.
private struct PhasePayload: Encodable {
    var phase: String
    var scanners: [CounterSummary]
    var peer: Peer
}
