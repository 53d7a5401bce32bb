/// The station at a glance: what systemd's STATUS= line and the control API's status show.
public struct StationSummary: Sendable, Equatable {
    /// USB devices present now.
    public var present: Int
    /// Sealed devices, nil before the first seal.
    public var sealed: Int?
    /// Sealed devices not at their port with their sealed identity (vendor:product and hash).
    public var missing: Int
    /// Present devices that are not authorized (blocked or rejected by the policy, or by the kernel default).
    public var blocked: Int
    /// Open and acknowledged alarms, in kind and subject order.
    public var alarms: [Alarm]
    /// The polls phase.
    public var phase: PollsPhase
    /// Why event-log writes fail, nil while they work.
    public var storageFailure: String?

    /// The summary of `present` devices against `inventory`, with `alarms` open.
    public init(present: [USBDevice], inventory: Inventory?, alarms: [Alarm], phase: PollsPhase,
                storageFailure: String? = nil) {
        self.present = present.count
        sealed = inventory?.items.count
        missing = inventory.map { Self.missing(from: $0, present: present) } ?? 0
        blocked = present.count { $0.authorized == false }
        self.alarms = alarms.sorted { ($0.kind.rawValue, $0.subject) < ($1.kind.rawValue, $1.subject) }
        self.phase = phase
        self.storageFailure = storageFailure
    }

    /// The sealed items no present device stands for.
    static func missing(from inventory: Inventory, present: [USBDevice]) -> Int {
        var byPort: [String: USBDevice] = [:]
        for device in present { byPort[device.port] = device }
        return inventory.items.count { item in
            guard let device = byPort[item.port] else { return true }
            return device.id != item.id || device.hash != item.hash
        }
    }

    /// One line for `systemctl status`, e.g. "9/9 sealed devices present, 0 open alarms, polls open".
    public var statusLine: String {
        var parts: [String] = []
        if let sealed {
            parts.append("\(sealed - missing)/\(sealed) sealed devices present")
            if present > sealed - missing { parts.append("\(present - (sealed - missing)) other USB devices") }
        } else {
            parts.append("not sealed, \(present) USB devices present")
        }
        let critical = alarms.count { $0.severity == .critical }
        parts.append("\(alarms.count) open alarm\(alarms.count == 1 ? "" : "s")"
            + (critical > 0 ? " (\(critical) critical)" : ""))
        parts.append("polls \(phase.rawValue)")
        if let storageFailure { parts.append("storage failing: \(storageFailure)") }
        return parts.joined(separator: ", ")
    }
}
