/// What a device is for at a polling station.
///
/// A role comes from the policy (`label "role=ballot-scanner"`, so that the rule file
/// stays valid for USBGuard), from udev (`NAZORAT_ROLE`, set by udev-rules/), or is
/// guessed from the interface classes.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Counts ballots; its counters matter.
    case ballotScanner = "ballot-scanner"
    /// Prints receipts and reports.
    case printer
    /// A keyboard (a technician's; a HID boot keyboard interface).
    case keyboard
    /// Mass storage: a stick or a disk.
    case storage
    /// A network adapter (CDC, wireless).
    case network
    /// A smart-card reader (officials' cards).
    case smartcardReader = "smartcard-reader"
    /// The uninterruptible power supply.
    case ups
    /// The commissioned export stick that carries offline bundles to central: mass storage
    /// allowed by its full identity (id, serial, hash) and nothing else (rules.conf says how).
    case exportMedium = "export-medium"
    /// A hub.
    case hub
    /// Anything else.
    case other

    /// The role guessed from a device's interfaces, the udev hint first.
    public static func guess(for device: USBDevice) -> Role {
        if let hint = device.roleHint, let role = Role(rawValue: hint) { return role }
        let classes = Set(device.interfaces.map(\.classCode))
        typealias C = InterfaceType.ClassCode
        if classes.contains(C.hub) { return .hub }
        if !classes.isDisjoint(with: [C.communications, C.cdcData, C.wireless]) { return .network }
        if classes.contains(C.massStorage) { return .storage }
        if classes.contains(C.printer) { return .printer }
        if classes.contains(C.smartCard) { return .smartcardReader }
        if device.interfaces.contains(where: { $0.classCode == C.hid && $0.protocol == 1 }) { return .keyboard }
        return .other
    }
}

extension Rule {
    /// The role named in the label (`role=...`, among other `key=value` words), if any.
    public var role: Role? {
        for value in label?.values ?? [] {
            let text = String(decoding: value.bytes, as: UTF8.self)
            for word in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" }) where word.hasPrefix("role=") {
                return Role(rawValue: String(word.dropFirst(5)))
            }
        }
        return nil
    }
}
