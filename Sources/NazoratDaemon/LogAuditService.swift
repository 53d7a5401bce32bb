import Logging
import NazoratCore
import NazoratStore
import ServiceLifecycle
import Synchronization

/// The whole log verified once per start, after READY=1.
///
/// A start checks only the log's tail, from its last signed checkpoint (StateDirectory), so
/// that a station with a year of events is ready in well under a second. This service then
/// walks the whole chain, on a thread of its own so that device events are not kept waiting,
/// reading one event at a time. A change found before the checkpoint (a failing disk, an
/// edit of an old row) raises the critical `storage.damaged-database` alarm: the database
/// stays in use, because supervision goes on and what it still records chains on the intact
/// tail; `verify-log` names the change for the report.
struct LogAuditService: Service {
    let path: String
    let supervisor: Supervisor
    let logger: Logger

    func run() async throws {
        await supervisor.untilReady()
        let stop = Atomic<Bool>(false)
        let report = try await withGracefulShutdownHandler {
            try await LogWalk.verify(path: path, qos: .background, shouldStop: { stop.load(ordering: .relaxed) })
        } onGracefulShutdown: {
            stop.store(true, ordering: .relaxed)
        }
        switch report?.result {
        case nil:
            logger.debug("the log's audit stopped with the daemon")
        case .success(let summary):
            logger.info("the whole log verifies: \(summary.events) events, \(summary.checkpoints) checkpoints")
        case .failure(let failure):
            await supervisor.logAuditFailed(failure)
        }
    }
}
