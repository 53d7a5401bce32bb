import FoundationEssentials
import Logging
import NazoratAPI
import NazoratConfiguration
import NazoratCore
import NazoratHTTP
import NazoratLinux
import NazoratStore
import ServiceLifecycle

/// Every heartbeat interval: a heartbeat, envelopes for the events not yet sent, the zero
/// and closing reports made since, the final report once the polls closed, then thinning
/// and the outbox alarm.
struct OutboxService: Service {
    let outbox: Outbox
    let settings: UplinkSettings
    let board: StatusBoard
    let supervisor: Supervisor
    let reporter: StationReporter
    let clock: SystemClock
    let logger: Logger

    func run() async throws {
        let interval = Duration.seconds(settings.heartbeatInterval)
        // The first heartbeat one interval after start: by then the devices are enumerated.
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                try await tick()
            } catch {
                logger.error("outbox: \(error)")
            }
        }
    }

    func tick() async throws {
        let time = clock.now()
        let heartbeat = await heartbeatPayload(time: time)
        try await outbox.add(kind: "heartbeat", createdUsec: time.realtimeUSec) { seq in
            var payload = heartbeat
            payload.seq = seq
            return payload
        }
        try await outbox.addEventBatches(createdUsec: time.realtimeUSec, limit: 20)
        try await outbox.addReports(createdUsec: time.realtimeUSec)
        if board.summary.phase == .closed, try await !outbox.finalReportMade() {
            let report = finalReport(time: time)
            try await outbox.add(kind: "final-report", createdUsec: time.realtimeUSec,
                                 meta: [.outboxFinalReport: "made"]) { seq in
                var payload = report
                payload.seq = seq
                return payload
            }
        }
        var summary = try await outbox.summary()
        // Thinning reads every envelope: only when the outbox is over its bound.
        if summary.bytes > outbox.bound {
            let thinned = try await outbox.thin()
            if thinned > 0 {
                logger.warning("outbox over its bound: \(thinned) old heartbeats thinned")
                summary = try await outbox.summary()
            }
        }
        let fraction = Double(summary.bytes) / Double(settings.outboxBytes)
        await supervisor.outboxPressure(near: fraction >= Outbox.alarmFraction,
                                        detail: "the outbox holds \(summary.envelopes) envelopes, \(summary.bytes) bytes "
                                            + "(\(Int(fraction * 100)) % of \(settings.outboxBytes)); central has "
                                            + "acknowledged through seq \(summary.acknowledgedThrough)")
    }

    private func heartbeatPayload(time: EventTime) async -> HeartbeatPayload {
        let now = await reporter.snapshot()
        return HeartbeatPayload(
            station: now.station, seq: 0, createdUsec: time.realtimeUSec, phase: now.summary.phase.rawValue,
            mode: now.mode.rawValue, uptimeSeconds: now.uptimeSeconds, bootId: time.bootID, version: Daemon.version,
            devices: now.devices,
            alarms: now.summary.alarms.map { .init(kind: $0.kind.rawValue, severity: $0.severity.rawValue, port: $0.subject,
                                                   state: $0.state.rawValue) },
            counters: now.counters, log: now.head, realtimeUsec: time.realtimeUSec, monotonicUsec: time.monotonicUSec)
    }

    private func finalReport(time: EventTime) -> FinalReportPayload {
        FinalReportPayload(station: reporter.station, seq: 0, createdUsec: time.realtimeUSec,
                           scanners: CounterSummary.list(board.counters, phase: .closed), contests: reporter.contests())
    }
}
