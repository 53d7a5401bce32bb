/// Which interfaces of an allowed device it may use: the part of a policy that USBGuard's
/// rule language cannot say, so it lives in the configuration (`[[interfaces]]` tables) and
/// the rule file stays USBGuard's, unchanged in meaning.
///
/// For each interface of an allowed device the entries are read in order, and the first
/// that applies decides; an interface no entry applies to is allowed. An entry applies when
/// the interface matches one of its patterns (`cc:ss:pp`, `cc:ss:*`, `cc:*:*`), the device's
/// role is in `roles` (any role when absent) and not in `except-roles`, and the device
/// matches its `devices` rule attributes (any device when absent).
public struct InterfacePolicy: Sendable, Equatable {
    /// What an entry does to the interfaces it applies to.
    public enum Target: String, Sendable, Equatable, CaseIterable {
        case allow, block
    }

    /// One `[[interfaces]]` table.
    public struct Entry: Sendable, Equatable {
        public var target: Target
        public var interfaces: [Rule.InterfacePattern]
        /// The roles it applies to; nil for every role.
        public var roles: Set<Role>?
        /// The roles it never applies to.
        public var exceptRoles: Set<Role>
        /// USBGuard rule attributes the device must match (`id 04b8:* serial "X"`); nil for every device.
        public var devices: Rule?
        /// Where it was written (`file:line`), or `the shipped interface policy`.
        public var origin: String

        public init(target: Target, interfaces: [Rule.InterfacePattern], roles: Set<Role>? = nil,
                    exceptRoles: Set<Role> = [], devices: Rule? = nil, origin: String) {
            self.target = target
            self.interfaces = interfaces
            self.roles = roles
            self.exceptRoles = exceptRoles
            self.devices = devices
            self.origin = origin
        }

        func applies(to interface: InterfaceType, of device: USBDevice, role: Role, secondsOfDay: Int) -> Bool {
            interfaces.contains { $0.matches(interface) } && (roles?.contains(role) ?? true)
                && !exceptRoles.contains(role) && (devices?.matches(device, secondsOfDay: secondsOfDay) ?? true)
        }
    }

    /// What was decided for one interface, and by what.
    public struct Decision: Sendable, Equatable {
        public var target: Target
        /// The deciding entry's origin, or nil when no entry applied (allowed).
        public var by: String?

        public init(target: Target, by: String?) {
            self.target = target
            self.by = by
        }
    }

    /// The entries, in order.
    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The decision for `interface` of `device`, which the rules allowed in `role`.
    public func decide(_ interface: InterfaceType, of device: USBDevice, role: Role, secondsOfDay: Int) -> Decision {
        guard let entry = entries.first(where: { $0.applies(to: interface, of: device, role: role,
                                                            secondsOfDay: secondsOfDay) })
        else { return Decision(target: .allow, by: nil) }
        return Decision(target: entry.target, by: entry.origin)
    }

    /// The policy when the configuration has no `[[interfaces]]`: storage, network and
    /// wireless interfaces are cut from printers, ballot scanners and UPSes, and a HID
    /// interface from any device that is not a keyboard or a UPS.
    public static let shipped = InterfacePolicy(entries: [
        Entry(target: .block, interfaces: [.init(classCode: 0x08), .init(classCode: 0x02), .init(classCode: 0x0A),
                                            .init(classCode: 0xE0)],
              roles: [.printer, .ballotScanner, .ups], origin: "the shipped interface policy (storage and network)"),
        Entry(target: .block, interfaces: [.init(classCode: 0x03)], exceptRoles: [.keyboard, .ups],
              origin: "the shipped interface policy (HID)"),
    ])
}
