/// What changed in the set of present devices.
public enum DeviceChange: Sendable, Equatable {
    /// A device appeared.
    case added(USBDevice)
    /// A device disappeared.
    case removed(USBDevice)
    /// A device at the same syspath now reads differently (firmware, strings, interfaces, authorization).
    case changed(old: USBDevice, new: USBDevice)
}

/// The devices the watcher believes present, keyed by syspath, and the reconciliation
/// of that belief with a fresh enumeration (after a monitor overflow or a restart).
public struct PresentDevices: Sendable {
    /// The devices by syspath.
    public private(set) var bySyspath: [String: USBDevice] = [:]

    /// An empty set.
    public init() {}

    /// The set of `devices` (e.g. as recorded before a restart).
    public init(_ devices: [USBDevice]) {
        bySyspath = Dictionary(devices.map { ($0.syspath, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The devices in no particular order (for counting and lookups: sorting is n log n).
    public var unordered: [USBDevice] { Array(bySyspath.values) }

    /// The devices in natural port order.
    public var sorted: [USBDevice] {
        PortOrder.sorted(bySyspath.values, port: \.port)
    }

    /// The device at `syspath`, if present.
    public subscript(syspath: String) -> USBDevice? { bySyspath[syspath] }

    /// Records `device` and says what that changed, if anything.
    public mutating func upsert(_ device: USBDevice) -> DeviceChange? {
        let old = bySyspath.updateValue(device, forKey: device.syspath)
        switch old {
        case nil: return .added(device)
        case let old? where old != device: return .changed(old: old, new: device)
        default: return nil
        }
    }

    /// Forgets the device at `syspath` and its descendants (the kernel removes children
    /// with their hub, but their own events may have been lost).
    public mutating func remove(syspath: String) -> [DeviceChange] {
        let gone = bySyspath.values.filter { $0.syspath == syspath || $0.syspath.hasPrefix(syspath + "/") }
        for device in gone { bySyspath[device.syspath] = nil }
        return PortOrder.sorted(gone, port: \.port).map(DeviceChange.removed)
    }

    /// Replaces the belief with `scan` and returns every difference: removed devices
    /// first (deepest first), then added and changed ones in port order.
    public mutating func reconcile(with scan: [USBDevice]) -> [DeviceChange] {
        let fresh = Dictionary(scan.map { ($0.syspath, $0) }, uniquingKeysWith: { _, last in last })
        var changes: [DeviceChange] = PortOrder.sorted(bySyspath.values.filter { fresh[$0.syspath] == nil }, port: \.port)
            .reversed()
            .map(DeviceChange.removed)
        for device in PortOrder.sorted(fresh.values, port: \.port) {
            switch bySyspath[device.syspath] {
            case nil: changes.append(.added(device))
            case let old? where old != device: changes.append(.changed(old: old, new: device))
            default: break
            }
        }
        bySyspath = fresh
        return changes
    }
}
