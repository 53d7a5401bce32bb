/// Parses the `descriptors` sysfs attribute of a USB device the way USBGuard 1.x does,
/// so that the descriptor hash and the interface list match USBGuard's exactly.
///
/// The kernel exposes the device descriptor followed by the raw configuration
/// descriptors. USBGuard walks them header by header, rejects sizes it does not
/// expect for the standard types, feeds each descriptor's `bLength` bytes to the
/// hash (with `bcdDevice` zeroed for Linux root hubs, whose revision follows the
/// kernel version), and lists every interface descriptor (alternate settings
/// included) as the device's interface types.
public enum DescriptorParser {
    /// What the descriptors say about a device.
    public struct Parsed: Sendable, Equatable {
        /// idVendor from the device descriptor.
        public var vendorID: UInt16
        /// idProduct from the device descriptor.
        public var productID: UInt16
        /// bcdDevice (the firmware revision) from the device descriptor.
        public var bcdDevice: UInt16
        /// bDeviceClass from the device descriptor.
        public var deviceClass: UInt8
        /// Every interface descriptor in order, as USBGuard lists them.
        public var interfaces: [InterfaceType]
        /// The bytes USBGuard hashes after the name, ids and serial.
        public var hashInput: [UInt8]
    }

    /// Why a descriptor blob was refused; `offset` is the byte where the problem starts.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Fewer than two bytes remained for a descriptor header.
        case truncatedHeader(offset: Int)
        /// bLength is smaller than the two-byte header.
        case lengthTooSmall(offset: Int, length: UInt8)
        /// bLength runs past the end of the data.
        case lengthBeyondEnd(offset: Int, length: UInt8, available: Int)
        /// A standard descriptor type with a size USBGuard does not accept.
        case unexpectedSize(offset: Int, type: UInt8, length: UInt8)
        /// A second device descriptor.
        case duplicateDeviceDescriptor(offset: Int)
        /// A configuration, interface or endpoint descriptor without its parent.
        case orphanDescriptor(offset: Int, type: UInt8)
        /// No device descriptor at all.
        case missingDeviceDescriptor

        public var description: String {
            switch self {
            case .truncatedHeader(let offset):
                "partial descriptor header at byte \(offset)"
            case .lengthTooSmall(let offset, let length):
                "descriptor at byte \(offset) has bLength \(length), less than its header"
            case .lengthBeyondEnd(let offset, let length, let available):
                "descriptor at byte \(offset) has bLength \(length) but only \(available) bytes remain"
            case .unexpectedSize(let offset, let type, let length):
                "descriptor of type \(type) at byte \(offset) has unexpected size \(length)"
            case .duplicateDeviceDescriptor(let offset):
                "second device descriptor at byte \(offset)"
            case .orphanDescriptor(let offset, let type):
                "descriptor of type \(type) at byte \(offset) has no parent descriptor"
            case .missingDeviceDescriptor:
                "no device descriptor"
            }
        }
    }

    private enum DescriptorType {
        static let device: UInt8 = 1
        static let configuration: UInt8 = 2
        static let interface: UInt8 = 4
        static let endpoint: UInt8 = 5
    }

    /// Linux Foundation root hubs (1.1, 2.0, 3.0): USBGuard zeroes their bcdDevice before hashing.
    private static func isLinuxRootHub(vendor: UInt16, product: UInt16) -> Bool {
        vendor == 0x1d6b && (1...3).contains(product)
    }

    /// Parses `bytes`, or throws the first problem USBGuard would also refuse.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> Parsed {
        var parsed: Parsed?
        var interfaces: [InterfaceType] = []
        var hashInput: [UInt8] = []
        hashInput.reserveCapacity(bytes.count)
        var haveConfiguration = false
        var haveInterface = false
        var offset = 0

        while offset < bytes.count {
            guard bytes.count - offset >= 2 else { throw .truncatedHeader(offset: offset) }
            let length = bytes[offset]
            let type = bytes[offset + 1]
            guard length >= 2 else { throw .lengthTooSmall(offset: offset, length: length) }
            guard bytes.count - offset >= Int(length) else {
                throw .lengthBeyondEnd(offset: offset, length: length, available: bytes.count - offset)
            }
            var descriptor = Array(bytes[offset..<offset + Int(length)])

            switch type {
            case DescriptorType.device:
                guard length == 18 else { throw .unexpectedSize(offset: offset, type: type, length: length) }
                guard parsed == nil else { throw .duplicateDeviceDescriptor(offset: offset) }
                let vendor = littleEndian(descriptor, 8), product = littleEndian(descriptor, 10)
                parsed = Parsed(vendorID: vendor, productID: product, bcdDevice: littleEndian(descriptor, 12),
                                deviceClass: descriptor[4], interfaces: [], hashInput: [])
                if isLinuxRootHub(vendor: vendor, product: product) {
                    descriptor[12] = 0
                    descriptor[13] = 0
                }
                interfaces.removeAll()
            case DescriptorType.configuration:
                guard length == 9 else { throw .unexpectedSize(offset: offset, type: type, length: length) }
                guard parsed != nil else { throw .orphanDescriptor(offset: offset, type: type) }
                haveConfiguration = true
                haveInterface = false
            case DescriptorType.interface:
                guard length == 9 else { throw .unexpectedSize(offset: offset, type: type, length: length) }
                guard haveConfiguration else { throw .orphanDescriptor(offset: offset, type: type) }
                haveInterface = true
                interfaces.append(InterfaceType(classCode: descriptor[5], subclass: descriptor[6],
                                                protocol: descriptor[7]))
            case DescriptorType.endpoint:
                guard length == 7 || length == 9 else {
                    throw .unexpectedSize(offset: offset, type: type, length: length)
                }
                guard haveInterface else { throw .orphanDescriptor(offset: offset, type: type) }
            default:
                break  // class-specific, string, association: hashed, not interpreted
            }
            hashInput += descriptor
            offset += Int(length)
        }

        guard var result = parsed else { throw .missingDeviceDescriptor }
        result.interfaces = interfaces
        result.hashInput = hashInput
        return result
    }

    private static func littleEndian(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }
}
