import Logging
import NazoratCore
import NazoratLinux
import ServiceLifecycle

/// Runs the device watcher and writes every observation to the log, one line each.
///
/// Until the store and journal land, the log (stderr) is the record of device events.
struct DeviceWatchService: Service {
    let logger: Logger
    let onPresent: @Sendable (Int) -> Void

    func run() async throws {
        let watcher = DeviceWatcher(logger: logger)
        let observations = try watcher.start()
        defer { watcher.stop() }
        for await observation in observations.cancelOnGracefulShutdown() {
            ObservationLog.write(observation, to: logger)
            if case .present(let devices) = observation { onPresent(devices.count) }
        }
    }
}

/// How each ``DeviceObservation`` reads in the log. Device strings are escaped and bounded
/// by ``USBDevice/summary``; nothing from a device reaches the log raw.
enum ObservationLog {
    static func write(_ observation: DeviceObservation, to logger: Logger) {
        switch observation {
        case .present(let devices):
            logger.notice("\(devices.count) USB devices present")
            for device in devices { logger.info("device present: \(device.summary)", metadata: metadata(device)) }
        case .changed(.added(let device), let cause):
            logger.notice("device added: \(device.summary) (\(cause))", metadata: metadata(device))
        case .changed(.removed(let device), let cause):
            logger.notice("device removed: \(device.port) \(device.id) (\(cause))", metadata: metadata(device))
        case .changed(.changed(let old, let new), let cause):
            let fields = new.differences(from: old).joined(separator: ", ")
            logger.notice("device changed: \(new.port) \(new.id): \(fields) (\(cause))", metadata: metadata(new))
        case .interface(let event):
            let type = event.type.map(\.description) ?? "??:??:??"
            let driver = event.driver.map { " driver \($0)" } ?? ""
            logger.info("interface \(event.action): \(event.name) \(type)\(driver)")
        case .unreadable(let error):
            logger.warning("device skipped: \(error)")
        case .rescanned(let reason, let changes):
            logger.warning("rescanned all devices after \(reason): \(changes) changes")
        }
    }

    private static func metadata(_ device: USBDevice) -> Logger.Metadata {
        ["port": "\(device.port)", "id": "\(device.id)", "hash": "\(device.hash ?? "-")"]
    }
}
