/// The JSON form of a ``USBDevice``: the shape of `nazoratd devices --json`, of device
/// events' payloads and of the control API's device objects, decoded as such by nazoratctl.
///
/// Every key is always present; an attribute the device lacks is `null`. Ids are four
/// lower-case hex digits, interfaces `cc:ss:pp`. Device strings are rendered with
/// ``DeviceString/escaped(limit:)`` (bounded to ``stringLimit`` input bytes), so that a
/// consumer that prints them (`jq -r`) cannot be fooled by escape sequences.
public struct DeviceJSON: Codable, Sendable, Equatable {
    /// How many input bytes of a device string the JSON form renders. Sysfs attributes are
    /// at most one page (4096 bytes); a real string descriptor at most 126 UTF-16 units.
    public static let stringLimit = 512

    public var syspath: String
    public var port: String
    public var vendorId: String?
    public var productId: String?
    public var serial: String?
    public var manufacturer: String?
    public var product: String?
    public var bcdDevice: String?
    public var deviceClass: String?
    public var interfaces: [String]
    public var connectType: String?
    public var parentPort: String?
    public var authorized: Bool?
    public var hash: String?
    public var parentHash: String?
    public var descriptorError: String?

    /// Renders `device`.
    public init(_ device: USBDevice) {
        syspath = device.syspath
        port = device.port
        vendorId = device.vendorID.map(Hex.word)
        productId = device.productID.map(Hex.word)
        serial = device.serial?.escaped(limit: Self.stringLimit)
        manufacturer = device.manufacturer?.escaped(limit: Self.stringLimit)
        product = device.product?.escaped(limit: Self.stringLimit)
        bcdDevice = device.bcdDevice.map(Hex.word)
        deviceClass = device.deviceClass.map(Hex.byte)
        interfaces = device.interfaces.map(\.description)
        connectType = device.connectType?.rawValue
        parentPort = device.parentPort
        authorized = device.authorized
        hash = device.hash
        parentHash = device.parentHash
        descriptorError = device.descriptorError
    }

    private enum Key: String, CodingKey {
        case syspath, port, vendorId, productId, serial, manufacturer, product, bcdDevice,
             deviceClass, interfaces, connectType, parentPort, authorized, hash, parentHash,
             descriptorError
    }

    /// Encodes every key, `null` included, in a fixed order.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(syspath, forKey: .syspath)
        try c.encode(port, forKey: .port)
        try c.encode(vendorId, forKey: .vendorId)
        try c.encode(productId, forKey: .productId)
        try c.encode(serial, forKey: .serial)
        try c.encode(manufacturer, forKey: .manufacturer)
        try c.encode(product, forKey: .product)
        try c.encode(bcdDevice, forKey: .bcdDevice)
        try c.encode(deviceClass, forKey: .deviceClass)
        try c.encode(interfaces, forKey: .interfaces)
        try c.encode(connectType, forKey: .connectType)
        try c.encode(parentPort, forKey: .parentPort)
        try c.encode(authorized, forKey: .authorized)
        try c.encode(hash, forKey: .hash)
        try c.encode(parentHash, forKey: .parentHash)
        try c.encode(descriptorError, forKey: .descriptorError)
    }
}
