/// One USB interface's class, subclass and protocol, as USBGuard's `with-interface` names it.
public struct InterfaceType: Sendable, Hashable, Codable, CustomStringConvertible {
    /// bInterfaceClass.
    public let classCode: UInt8
    /// bInterfaceSubClass.
    public let subclass: UInt8
    /// bInterfaceProtocol.
    public let `protocol`: UInt8

    /// Creates an interface type from its three codes.
    public init(classCode: UInt8, subclass: UInt8, protocol: UInt8) {
        self.classCode = classCode
        self.subclass = subclass
        self.protocol = `protocol`
    }

    /// `cc:ss:pp` in lower-case hex, the form USBGuard rules and the JSON output use.
    public var description: String {
        [classCode, subclass, `protocol`].map(Hex.byte).joined(separator: ":")
    }

    /// USB class codes Nazorat reasons about (usb.org "Defined Class Codes").
    public enum ClassCode {
        /// Human interface device: keyboards, mice, UPS reports.
        public static let hid: UInt8 = 0x03
        /// Printer.
        public static let printer: UInt8 = 0x07
        /// Mass storage.
        public static let massStorage: UInt8 = 0x08
        /// Hub.
        public static let hub: UInt8 = 0x09
        /// Communications (CDC), e.g. ethernet adapters and modems.
        public static let communications: UInt8 = 0x02
        /// CDC data.
        public static let cdcData: UInt8 = 0x0A
        /// Smart card.
        public static let smartCard: UInt8 = 0x0B
        /// Wireless controller (Bluetooth, RNDIS).
        public static let wireless: UInt8 = 0xE0
        /// Vendor specific.
        public static let vendorSpecific: UInt8 = 0xFF
    }
}

/// Lower-case hexadecimal rendering of fixed-width numbers.
public enum Hex {
    /// Two digits, e.g. `0a`.
    public static func byte(_ value: UInt8) -> String { pad(String(value, radix: 16), to: 2) }
    /// Four digits, e.g. `046d`.
    public static func word(_ value: UInt16) -> String { pad(String(value, radix: 16), to: 4) }

    private static func pad(_ digits: String, to width: Int) -> String {
        String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
