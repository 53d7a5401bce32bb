import NazoratCore

/// Builds a ``USBDevice`` from a udev device and its sysfs attributes.
///
/// Attributes are read from sysfs directly, as bytes, rather than through libudev's
/// string accessors: libudev cuts values at the first NUL and caches them, and USBGuard
/// hashes exactly the bytes of the files.
enum DeviceReader {
    /// Reads the usb_device `device`.
    ///
    /// - Parameter parentHash: the hash of an already known parent usb_device, by syspath.
    /// - Throws: ``DeviceReadError/vanished(syspath:)`` when the device disappears while
    ///   it is read, whatever attribute that broke.
    static func read(_ device: UdevDevice, parentHash: (String) -> String?) throws(DeviceReadError) -> USBDevice {
        guard let syspath = device.syspath, let port = device.sysname else {
            throw .vanished(syspath: device.syspath ?? "?")
        }
        do throws(DeviceReadError) {
            var result = try readAttributes(syspath: syspath, port: port, parentHash: parentHash)
            result.roleHint = device.property("NAZORAT_ROLE")
            // Everything read may belong to a device that left half-way: check it is still there.
            guard SysfsAttributes.exists(syspath) else { throw DeviceReadError.vanished(syspath: syspath) }
            return result
        } catch {
            if !SysfsAttributes.exists(syspath) { throw .vanished(syspath: syspath) }
            throw error
        }
    }

    private static func readAttributes(
        syspath: String, port: String, parentHash: (String) -> String?
    ) throws(DeviceReadError) -> USBDevice {
        func optional(_ name: String) throws(DeviceReadError) -> [UInt8]? {
            try SysfsAttributes.read(syspath + "/" + name)
        }
        func mandatory(_ name: String, trim: Bool = true) throws(DeviceReadError) -> [UInt8] {
            guard let bytes = try SysfsAttributes.read(syspath + "/" + name, trim: trim) else {
                throw .missingAttribute(path: syspath + "/" + name)
            }
            return bytes
        }

        let vendorText = try mandatory("idVendor")
        let productText = try mandatory("idProduct")
        let descriptors = try mandatory("descriptors", trim: false)
        let authorized = try optional("authorized")
        let product = try optional("product")
        let manufacturer = try optional("manufacturer")
        let serial = try optional("serial")
        let connectType = try optional("port/connect_type")

        var device = USBDevice(
            syspath: syspath, port: port,
            vendorID: hex16(vendorText), productID: hex16(productText),
            serial: serial.map(DeviceString.init(bytes:)),
            manufacturer: manufacturer.map(DeviceString.init(bytes:)),
            product: product.map(DeviceString.init(bytes:)),
            connectType: connectType.flatMap { ConnectType(rawValue: String(decoding: $0, as: UTF8.self)) },
            authorized: authorized.map { $0 == Array("1".utf8) }
        )
        // The parent by name (USBSysfsName): a usb_device's parent directory is its parent device.
        if let parent = USBSysfsName.parent(of: syspath) {
            if parent.isDevice {
                device.parentPort = parent.syspath.split(separator: "/").last.map(String.init)
                device.parentHash = parentHash(parent.syspath)
            } else {
                device.parentHash = DeviceHash.of(sysfsPath: relativeToSysfs(parent.syspath))
            }
        }
        do {
            let parsed = try DescriptorParser.parse(descriptors)
            device.bcdDevice = parsed.bcdDevice
            device.deviceClass = parsed.deviceClass
            device.interfaces = parsed.interfaces
            device.hash = DeviceHash.device(
                product: product ?? [], vendorID: vendorText, productID: productText,
                serial: serial ?? [], descriptorHashInput: parsed.hashInput)
        } catch {
            device.descriptorError = error.description
            device.bcdDevice = try optional("bcdDevice").flatMap(hex16)
            device.deviceClass = try optional("bDeviceClass").flatMap(hex16).map { UInt8(truncatingIfNeeded: $0) }
        }
        return device
    }

    /// `/sys/devices/...` becomes `/devices/...`, the form USBGuard hashes.
    static func relativeToSysfs(_ syspath: String) -> String {
        syspath.hasPrefix("/sys/") ? String(syspath.dropFirst(4)) : syspath
    }

    private static func hex16(_ bytes: [UInt8]) -> UInt16? {
        guard !bytes.isEmpty, bytes.count <= 4 else { return nil }
        return UInt16(String(decoding: bytes, as: UTF8.self), radix: 16)
    }
}
