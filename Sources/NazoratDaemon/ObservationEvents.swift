import NazoratCore
import NazoratLinux
import NazoratStore

/// Turns what the watcher observed into what the event log records.
enum ObservationEvents {
    /// The record of one observation. `recorded` is what the database held before start,
    /// reconciled with the coldplug scan so that changes while the daemon was stopped are logged.
    static func pending(for observation: DeviceObservation, recorded: [USBDevice], firstStart: Bool,
                        time: EventTime) -> StoreBatch {
        switch observation {
        case .present(let devices):
            var known = PresentDevices(recorded)
            let changes = known.reconcile(with: devices)
            return pending(for: changes, cause: firstStart ? "coldplug" : "while stopped", time: time)
        case .changed(let change, let cause):
            return pending(for: [change], cause: cause.description, time: time)
        case .interface(let event):
            let type = event.type.map(\.description) ?? "??:??:??"
            let driver = event.driver.map { " driver \($0)" } ?? ""
            return StoreBatch(drafts: [EventDraft(
                type: .deviceInterface, severity: .info, subject: event.devicePort,
                message: "interface \(event.action): \(event.name) \(type)\(driver)",
                payload: JSONText.encode(["action": event.action, "interface": event.name, "type": type,
                                          "driver": event.driver ?? ""]),
                time: time)])
        case .unreadable(let error):
            return StoreBatch(drafts: [EventDraft(
                type: .deviceUnreadable, severity: .warning, subject: "usb",
                message: "device skipped: \(error)", payload: JSONText.encode(["reason": error.description]),
                time: time)])
        case .rescanned(let reason, let changes):
            return StoreBatch(drafts: [EventDraft(
                type: .monitorRescanned, severity: .warning, subject: "usb",
                message: "rescanned all devices after \(reason): \(changes) changes",
                payload: JSONText.encode(RescanPayload(reason: reason, changes: changes)), time: time)])
        }
    }

    private struct RescanPayload: Encodable {
        var reason: String
        var changes: Int
    }

    private static func pending(for changes: [DeviceChange], cause: String, time: EventTime) -> StoreBatch {
        var record = StoreBatch(drafts: [])
        for change in changes {
            record.drafts.append(DeviceEvents.draft(for: change, cause: cause, time: time))
            switch change {
            case .added(let device), .changed(_, let device): record.tables.devicesPresent.append(device)
            case .removed(let device): record.tables.devicesGone.append(device.syspath)
            }
        }
        return record
    }
}
