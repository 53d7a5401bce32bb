import Logging
import NazoratCore
import NazoratLinux
import NazoratStore
import ServiceLifecycle

/// Runs the device watcher and records every observation in the event log.
struct DeviceWatchService: Service {
    let logger: Logger
    let watcher: DeviceWatcher
    let log: EventLog
    let clock: SystemClock
    /// The devices the database held at start.
    let recorded: [USBDevice]
    /// Whether the log was empty at start (then present devices are `coldplug`, not `while stopped`).
    let firstStart: Bool
    /// Decides and enforces.
    let enforcer: Enforcer
    /// The seal and the drift alarms, as loaded at start.
    let integrity: Integrity
    /// Shows the outcome of each observation; told READY once the present devices are recorded and decided.
    let board: StatusBoard

    static func identityChanged(_ old: USBDevice, _ new: USBDevice) -> Bool {
        var old = old
        old.authorized = new.authorized
        return old != new
    }

    func run() async throws {
        let observations = try watcher.start()
        defer { watcher.stop() }
        var integrity = integrity
        var ready = false
        for await observation in observations.cancelOnGracefulShutdown() {
            let time = clock.now()
            var record = ObservationEvents.pending(for: observation, recorded: recorded, firstStart: firstStart, time: time)
            switch observation {
            case .present(let devices):
                record.drafts += enforcer.closeRootHubs(devices, time: time)
                for device in devices { record.drafts += enforcer.decideAndApply(device, time: time) }
            case .changed(.added(let device), _):
                record.drafts += enforcer.decideAndApply(device, time: time)
            case .changed(.changed(let old, let new), _) where Self.identityChanged(old, new):
                // Only a change of what the policy looks at is decided again, not the
                // authorization flip an enforcement write itself causes.
                record.drafts += enforcer.decideAndApply(new, time: time)
            default:
                break
            }
            let alarms = integrity.check(after: observation, present: { watcher.devices }, time: time)
            record.drafts += alarms.drafts
            record.alarmChanges += alarms.changes
            await log.record(record)
            let present: [USBDevice]
            if case .present(let devices) = observation { present = devices } else { present = watcher.devices }
            board.devicesChanged(present: present, alarms: Array(integrity.book.open.values))
            if !ready, case .present = observation {
                board.ready()
                ready = true
            }
        }
    }
}
