/// The events that record device changes.
///
/// Types: `device.added`, `device.removed` (notice) and `device.changed` (warning: a
/// device that changes its firmware, strings or interfaces in place is suspicious).
/// The payload holds the device in its JSON form (escaped strings), the cause, and for a
/// change the differences.
public enum DeviceEvents {
    private struct Payload: Encodable {
        var cause: String
        var device: DeviceJSON
        var differences: [String]?
    }

    /// The draft recording `change`, learnt through `cause` (e.g. `uevent add`, `rescan`,
    /// `coldplug`, `while stopped`).
    public static func draft(for change: DeviceChange, cause: String, time: EventTime) -> EventDraft {
        switch change {
        case .added(let device):
            EventDraft(type: .deviceAdded, severity: .notice, subject: device.port,
                       message: "device added: \(device.summary) (\(cause))",
                       payload: JSONText.encode(Payload(cause: cause, device: DeviceJSON(device))), time: time)
        case .removed(let device):
            EventDraft(type: .deviceRemoved, severity: .notice, subject: device.port,
                       message: "device removed: \(device.port) \(device.id) (\(cause))",
                       payload: JSONText.encode(Payload(cause: cause, device: DeviceJSON(device))), time: time)
        case .changed(let old, let new):
            EventDraft(type: .deviceChanged, severity: .warning, subject: new.port,
                       message: "device changed: \(new.port) \(new.id): "
                           + new.differences(from: old).joined(separator: ", ") + " (\(cause))",
                       payload: JSONText.encode(Payload(cause: cause, device: DeviceJSON(new),
                                                        differences: new.differences(from: old))),
                       time: time)
        }
    }
}
