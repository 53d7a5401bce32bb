/// Writes rules the way `usbguard generate-policy` does, so that the output loads in
/// both Nazorat and USBGuard (`usbguard-rule-parser` checks it in the tests).
public enum RuleWriter {
    /// One rule (`allow` unless `target` says otherwise) for `device`: id, serial, name,
    /// hash, parent-hash, via-port (when asked, or when the device has no serial, as USBGuard
    /// does), with-interface, with-connect-type, and the role in the label.
    public static func rule(for device: USBDevice, viaPort: Bool, role: Role, target: Rule.Target = .allow) -> String {
        var parts = [target.rawValue, "id", device.id]
        parts += ["serial", quote(device.serial?.bytes ?? [])]
        parts += ["name", quote(device.product?.bytes ?? [])]
        if let hash = device.hash { parts += ["hash", quote(Array(hash.utf8))] }
        if let parentHash = device.parentHash { parts += ["parent-hash", quote(Array(parentHash.utf8))] }
        if viaPort || (device.serial?.bytes ?? []).isEmpty { parts += ["via-port", quote(Array(device.port.utf8))] }
        switch device.interfaces.count {
        case 0: parts += ["with-interface", "{", "}"]
        case 1: parts += ["with-interface", device.interfaces[0].description]
        default: parts += ["with-interface", "{"] + device.interfaces.map(\.description) + ["}"]
        }
        parts += ["with-connect-type", quote(Array((device.connectType?.rawValue ?? "").utf8))]
        parts += ["label", quote(Array("role=\(role.rawValue)".utf8))]
        return parts.joined(separator: " ")
    }

    /// A rule-language string: printable ASCII as is, `"` and `\` escaped, every other byte `\xHH`.
    public static func quote(_ bytes: [UInt8]) -> String {
        var out = "\""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\x" + Hex.byte(byte)
            }
        }
        return out + "\""
    }
}
