/// The commissioned set of devices, as sealed: what the station must look like.
public struct Inventory: Sendable, Equatable, Codable {
    /// One sealed device: its identity and where it was.
    public struct Item: Sendable, Equatable, Codable {
        /// The port it was sealed at.
        public var port: String
        /// `vvvv:pppp`.
        public var id: String
        /// Serial bytes, if any.
        public var serial: DeviceString?
        /// USBGuard's hash.
        public var hash: String?
        /// Firmware revision.
        public var bcdDevice: UInt16?
        /// Interfaces (`cc:ss:pp`).
        public var interfaces: [InterfaceType]
        /// The role it was sealed with.
        public var role: Role

        /// The sealed record of `device` in `role`.
        public init(_ device: USBDevice, role: Role) {
            port = device.port
            id = device.id
            serial = device.serial
            hash = device.hash
            bcdDevice = device.bcdDevice
            interfaces = device.interfaces
            self.role = role
        }

        /// Whether `device` is this sealed device at its sealed port: the same id and hash.
        public func isSealed(_ device: USBDevice) -> Bool {
            device.port == port && device.id == id && device.hash == hash
        }
    }

    /// The sealed devices, in port order.
    public var items: [Item]

    /// Seals `devices`, each in the role `role(device)` gives.
    public init(devices: [USBDevice], role: (USBDevice) -> Role) {
        items = PortOrder.sorted(devices, port: \.port).map { Item($0, role: role($0)) }
    }

    /// Whether `device` is one of the sealed devices, at the port it was sealed at (the one place that decides it).
    public func seals(_ device: USBDevice) -> Bool {
        items.contains { $0.isSealed(device) }
    }
}

/// The polls phase; alarm severities rise while the polls are open.
public enum PollsPhase: String, Sendable, Codable, CaseIterable {
    /// Before the polls open: commissioning, sealing, tests.
    case setup
    /// Voting is under way.
    case open
    /// Voting has ended; counts are final.
    case closed
}
