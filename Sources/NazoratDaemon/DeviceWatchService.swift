import Logging
import NazoratCore
import NazoratLinux
import NazoratStore
import ServiceLifecycle

/// Runs the device watcher and records every observation in the event log.
struct DeviceWatchService: Service {
    let logger: Logger
    let log: EventLog
    let clock: SystemClock
    /// The devices the database held at start.
    let recorded: [USBDevice]
    /// Whether the log was empty at start (then present devices are `coldplug`, not `while stopped`).
    let firstStart: Bool
    /// Called once the present devices are recorded.
    let onPresent: @Sendable (Int) -> Void

    func run() async throws {
        let watcher = DeviceWatcher(logger: logger)
        let observations = try watcher.start()
        defer { watcher.stop() }
        for await observation in observations.cancelOnGracefulShutdown() {
            await log.record(ObservationEvents.pending(for: observation, recorded: recorded, firstStart: firstStart,
                                                       time: clock.now()))
            if case .present(let devices) = observation { onPresent(devices.count) }
        }
    }
}
