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
    }

    /// The sealed devices, in port order.
    public var items: [Item]

    /// Seals `devices`, each in the role `role(device)` gives.
    public init(devices: [USBDevice], role: (USBDevice) -> Role) {
        items = PortOrder.sorted(devices, port: \.port).map { Item($0, role: role($0)) }
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
