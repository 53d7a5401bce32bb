/// A condition that differs from the sealed inventory, which an alarm reports while it lasts.
public struct DriftCondition: Sendable, Equatable, Hashable {
    /// The kinds of drift, each with its base severity (before the polls phase raises it).
    public enum Kind: String, Sendable, CaseIterable {
        /// A sealed device is not present at its port.
        case missing = "device.missing"
        /// A device that is not in the seal is present.
        case unexpected = "device.unexpected"
        /// A sealed device (same hash) is present at another port.
        case moved = "device.moved"
        /// The device at a sealed port has another serial.
        case serialChanged = "device.serial-changed"
        /// Same id and serial, but another firmware revision.
        case firmwareChanged = "device.firmware-changed"
        /// Another set of interfaces (none of them HID or network).
        case interfacesChanged = "device.interfaces-changed"
        /// It gained a HID or network interface: the BadUSB disguise.
        case gainedHIDOrNetwork = "device.gained-hid-or-network"
        /// Same id, serial, firmware and interfaces, but another descriptor hash (name or descriptors).
        case hashChanged = "device.hash-changed"
        /// A ballot scanner reconnected more than ``DriftDetector/flapLimit`` times in ``DriftDetector/flapWindowUSec``.
        case flapping = "scanner.flapping"

        /// Severity during setup and after close.
        public var baseSeverity: Severity {
            switch self {
            case .unexpected, .moved, .flapping: .warning
            case .missing, .serialChanged, .firmwareChanged, .interfacesChanged, .hashChanged: .error
            case .gainedHIDOrNetwork: .critical
            }
        }

        /// Severity in `phase`: one step higher while the polls are open.
        public func severity(in phase: PollsPhase) -> Severity {
            guard phase == .open else { return baseSeverity }
            return switch baseSeverity {
            case .info: .notice
            case .notice: .warning
            case .warning: .error
            case .error, .critical: .critical
            }
        }
    }

    /// What drifted.
    public var kind: Kind
    /// The port it concerns.
    public var port: String
    /// What a technician reads.
    public var detail: String
}

/// Compares what is present with the sealed inventory. Pure: the caller keeps the history
/// of scanner connections for flapping.
public enum DriftDetector {
    /// More reconnects than this within the window is flapping.
    public static let flapLimit = 3
    /// The flapping window: 10 minutes, in microseconds of the monotonic clock.
    public static let flapWindowUSec: Int64 = 10 * 60 * 1_000_000

    /// Every drift condition that holds now. `connects` are the monotonic times at which a
    /// device was plugged in at each port (hot-plug additions: each one is a reconnect).
    public static func conditions(inventory: Inventory, present: [USBDevice], connects: [String: [Int64]],
                                  now: Int64) -> Set<DriftCondition> {
        var out: Set<DriftCondition> = []
        let sealedByPort = Dictionary(inventory.items.map { ($0.port, $0) }, uniquingKeysWith: { first, _ in first })
        let sealedByHash = Dictionary(inventory.items.compactMap { item in item.hash.map { ($0, item) } },
                                      uniquingKeysWith: { first, _ in first })
        let presentPorts = Set(present.map(\.port))

        for item in inventory.items where !presentPorts.contains(item.port) {
            out.insert(DriftCondition(kind: .missing, port: item.port, detail: "sealed \(item.role.rawValue) \(item.id) is missing"))
        }
        for device in present {
            guard let sealed = sealedByPort[device.port], sealed.id == device.id else {
                if let hash = device.hash, let elsewhere = sealedByHash[hash] {
                    out.insert(DriftCondition(kind: .moved, port: device.port,
                                              detail: "sealed \(elsewhere.role.rawValue) \(device.id) moved from \(elsewhere.port)"))
                } else {
                    out.insert(DriftCondition(kind: .unexpected, port: device.port, detail: "unsealed device \(device.summary)"))
                }
                continue
            }
            out.formUnion(differences(sealed, device))
            let reconnects = (connects[device.port] ?? []).filter { now - $0 <= flapWindowUSec }.count
            if sealed.role == .ballotScanner, reconnects > flapLimit {
                out.insert(DriftCondition(kind: .flapping, port: device.port,
                                          detail: "ballot scanner \(device.id) reconnected \(reconnects) times in 10 minutes"))
            }
        }
        return out
    }

    private static func differences(_ sealed: Inventory.Item, _ device: USBDevice) -> [DriftCondition] {
        var out: [DriftCondition] = []
        func add(_ kind: DriftCondition.Kind, _ detail: String) {
            out.append(DriftCondition(kind: kind, port: device.port, detail: "\(device.id): \(detail)"))
        }
        if sealed.serial != device.serial {
            add(.serialChanged, "serial \"\(sealed.serial?.escaped(limit: 64) ?? "")\" became \"\(device.serial?.escaped(limit: 64) ?? "")\"")
        }
        if sealed.bcdDevice != device.bcdDevice {
            add(.firmwareChanged, "firmware \(sealed.bcdDevice.map(Hex.word) ?? "?") became \(device.bcdDevice.map(Hex.word) ?? "?")")
        }
        if Set(sealed.interfaces) != Set(device.interfaces) {
            let gained = Set(device.interfaces).subtracting(sealed.interfaces)
            let risky: Set<UInt8> = [InterfaceType.ClassCode.hid, InterfaceType.ClassCode.communications,
                                     InterfaceType.ClassCode.cdcData, InterfaceType.ClassCode.wireless]
            let list = { (set: [InterfaceType]) in set.map(\.description).joined(separator: " ") }
            if gained.contains(where: { risky.contains($0.classCode) }) {
                add(.gainedHIDOrNetwork, "gained \(list(gained.sorted { $0.description < $1.description })) (sealed: \(list(sealed.interfaces)))")
            } else {
                add(.interfacesChanged, "interfaces \(list(sealed.interfaces)) became \(list(device.interfaces))")
            }
        }
        if out.isEmpty, sealed.hash != device.hash {
            add(.hashChanged, "descriptor hash \(sealed.hash ?? "none") became \(device.hash ?? "none")")
        }
        return out
    }
}
