/// How a device is attached to its port, as the kernel's `port/connect_type` says.
public enum ConnectType: String, Sendable, Hashable, Codable {
    /// A user-accessible port.
    case hotplug
    /// A port wired inside the machine (internal hub, built-in device).
    case hardwired
    /// A port that is not used.
    case notUsed = "not used"
    /// The firmware does not say.
    case unknown
}

/// A USB device (`DEVTYPE=usb_device`) as the watcher read it from sysfs.
///
/// Strings from the device are ``DeviceString``s (raw bytes); numbers are parsed.
/// `hash` and `parentHash` are computed exactly as USBGuard 1.x computes them
/// (see ``DeviceHash``). Interfaces come from the descriptors, like USBGuard's:
/// they are the same as the kernel's interface children for the active
/// configuration, and they are known even when those children do not exist
/// (a device that is not authorized, or an `add` event that arrives before the
/// kernel created them).
public struct USBDevice: Sendable, Hashable, Codable {
    /// The sysfs path, e.g. `/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1`.
    public var syspath: String
    /// The kernel's name of the port: `1-4.2`, or `usb1` for a root hub.
    public var port: String
    /// idVendor.
    public var vendorID: UInt16?
    /// idProduct.
    public var productID: UInt16?
    /// The serial number string, if the device has one.
    public var serial: DeviceString?
    /// The manufacturer string, if the device has one.
    public var manufacturer: DeviceString?
    /// The product string, if the device has one.
    public var product: DeviceString?
    /// bcdDevice: the firmware revision.
    public var bcdDevice: UInt16?
    /// bDeviceClass.
    public var deviceClass: UInt8?
    /// Every interface descriptor (class, subclass, protocol), as USBGuard lists them.
    public var interfaces: [InterfaceType]
    /// `port/connect_type`; `nil` for root hubs, which have no port.
    public var connectType: ConnectType?
    /// The parent usb_device's port, or `nil` for a root hub.
    public var parentPort: String?
    /// Whether the kernel currently lets the device's interfaces bind (`authorized`).
    public var authorized: Bool?
    /// USBGuard's device hash; `nil` when the descriptors are malformed (USBGuard refuses such a device).
    public var hash: String?
    /// USBGuard's parent hash.
    public var parentHash: String?
    /// Why the descriptors could not be parsed, if they could not.
    public var descriptorError: String?
    /// The role udev assigned (`NAZORAT_ROLE`, from udev-rules/), if any.
    public var roleHint: String?

    /// Creates a device record.
    public init(
        syspath: String, port: String, vendorID: UInt16? = nil, productID: UInt16? = nil,
        serial: DeviceString? = nil, manufacturer: DeviceString? = nil, product: DeviceString? = nil,
        bcdDevice: UInt16? = nil, deviceClass: UInt8? = nil, interfaces: [InterfaceType] = [],
        connectType: ConnectType? = nil, parentPort: String? = nil, authorized: Bool? = nil,
        hash: String? = nil, parentHash: String? = nil, descriptorError: String? = nil, roleHint: String? = nil
    ) {
        self.syspath = syspath
        self.port = port
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
        self.manufacturer = manufacturer
        self.product = product
        self.bcdDevice = bcdDevice
        self.deviceClass = deviceClass
        self.interfaces = interfaces
        self.connectType = connectType
        self.parentPort = parentPort
        self.authorized = authorized
        self.hash = hash
        self.parentHash = parentHash
        self.descriptorError = descriptorError
        self.roleHint = roleHint
    }

    /// `vvvv:pppp` in lower-case hex, or `????:????` where unknown.
    public var id: String {
        (vendorID.map(Hex.word) ?? "????") + ":" + (productID.map(Hex.word) ?? "????")
    }

    /// A one-line, escaped summary for logs: port, id, product and serial.
    public var summary: String {
        var parts = ["\(port) \(id)"]
        if let product { parts.append("\"\(product.escaped(limit: 64))\"") }
        if let serial { parts.append("serial \"\(serial.escaped(limit: 64))\"") }
        parts.append("interfaces " + (interfaces.isEmpty ? "none" : interfaces.map(\.description).joined(separator: " ")))
        return parts.joined(separator: " ")
    }
}

extension USBDevice {
    /// Names of the attributes that differ from `other`, with old and new values where short.
    public func differences(from other: USBDevice) -> [String] {
        var out: [String] = []
        func note<T: Equatable>(_ name: String, _ a: T, _ b: T, _ show: (T) -> String) {
            if a != b { out.append("\(name) \(show(b)) -> \(show(a))") }
        }
        note("id", id, other.id) { $0 }
        note("bcdDevice", bcdDevice, other.bcdDevice) { $0.map(Hex.word) ?? "none" }
        note("serial", serial, other.serial) { $0.map { "\"\($0.escaped(limit: 32))\"" } ?? "none" }
        note("manufacturer", manufacturer, other.manufacturer) { $0.map { "\"\($0.escaped(limit: 32))\"" } ?? "none" }
        note("product", product, other.product) { $0.map { "\"\($0.escaped(limit: 32))\"" } ?? "none" }
        note("interfaces", interfaces, other.interfaces) { $0.map(\.description).joined(separator: " ") }
        note("connect-type", connectType, other.connectType) { $0?.rawValue ?? "none" }
        note("authorized", authorized, other.authorized) { $0.map { $0 ? "1" : "0" } ?? "?" }
        note("hash", hash, other.hash) { $0 ?? "none" }
        note("parent-hash", parentHash, other.parentHash) { $0 ?? "none" }
        return out
    }
}
