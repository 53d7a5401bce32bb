/// The JSON form of a ``USBDevice``: the shape of `nazoratd devices --json` and of the
/// control API's device objects.
///
/// Every key is always present; an attribute the device lacks is `null`. Ids are four
/// lower-case hex digits, interfaces `cc:ss:pp`. Device strings are rendered with
/// ``DeviceString/escaped(limit:)`` (bounded to ``stringLimit`` input bytes), so that a
/// consumer that prints them (`jq -r`) cannot be fooled by escape sequences.
public struct DeviceJSON: Encodable, Sendable {
    /// How many input bytes of a device string the JSON form renders. Sysfs attributes are
    /// at most one page (4096 bytes); a real string descriptor at most 126 UTF-16 units.
    public static let stringLimit = 512

    private let device: USBDevice

    /// Wraps a device for encoding.
    public init(_ device: USBDevice) {
        self.device = device
    }

    private enum Key: String, CodingKey {
        case syspath, port, vendorId, productId, serial, manufacturer, product, bcdDevice,
             deviceClass, interfaces, connectType, parentPort, authorized, hash, parentHash,
             descriptorError
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(device.syspath, forKey: .syspath)
        try c.encode(device.port, forKey: .port)
        try c.encode(device.vendorID.map(Hex.word), forKey: .vendorId)
        try c.encode(device.productID.map(Hex.word), forKey: .productId)
        try c.encode(device.serial?.escaped(limit: Self.stringLimit), forKey: .serial)
        try c.encode(device.manufacturer?.escaped(limit: Self.stringLimit), forKey: .manufacturer)
        try c.encode(device.product?.escaped(limit: Self.stringLimit), forKey: .product)
        try c.encode(device.bcdDevice.map(Hex.word), forKey: .bcdDevice)
        try c.encode(device.deviceClass.map(Hex.byte), forKey: .deviceClass)
        try c.encode(device.interfaces.map(\.description), forKey: .interfaces)
        try c.encode(device.connectType?.rawValue, forKey: .connectType)
        try c.encode(device.parentPort, forKey: .parentPort)
        try c.encode(device.authorized, forKey: .authorized)
        try c.encode(device.hash, forKey: .hash)
        try c.encode(device.parentHash, forKey: .parentHash)
        try c.encode(device.descriptorError, forKey: .descriptorError)
    }
}
