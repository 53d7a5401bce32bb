import FoundationEssentials
import NazoratAPI
import NazoratConfiguration
import NazoratCore
import NazoratHTTP
import NazoratStore

/// The station as it is now, in the one shape that `GET /v1/status` and the heartbeat
/// both report: so that the two never disagree on the uptime, the device counts or the
/// counters.
struct StationSnapshot: Sendable {
    var station: String
    var summary: StationSummary
    var mode: Configuration.Mode
    /// Seconds since the daemon started, to the millisecond.
    var uptimeSeconds: Double
    var head: LogHead?
    var counters: [CounterSummary]

    /// The device counts of ``summary``.
    var devices: DeviceCounts {
        DeviceCounts(present: summary.present, sealed: summary.sealed, missing: summary.missing,
                     blocked: summary.blocked)
    }
}

/// Takes ``StationSnapshot``s and reads the submitted results, for the routes and the outbox.
struct StationReporter: Sendable {
    let station: String
    let board: StatusBoard
    let log: EventLog
    let store: StateStore
    let enforcer: Enforcer
    let started: ContinuousClock.Instant

    /// The station now.
    func snapshot() async -> StationSnapshot {
        let summary = board.summary
        let head = await log.currentHead
        let uptime = ContinuousClock.now - started
        let milliseconds = uptime.components.seconds * 1000 + uptime.components.attoseconds / 1_000_000_000_000_000
        return StationSnapshot(station: station, summary: summary, mode: enforcer.mode,
                               uptimeSeconds: Double(milliseconds) / 1000,
                               head: head.map { LogHead(seq: $0.seq, hash: $0.hash) },
                               counters: CounterSummary.list(board.counters, phase: summary.phase))
    }

    /// The per-contest totals submitted last, if any.
    func contests() -> [ContestTotals]? {
        (try? store.results()).flatMap { try? JSONDecoder().decode(ResultsSubmission.self, from: Data($0.utf8)) }?
            .contests
    }
}
