import Crypto
import FoundationEssentials

/// The device `hash` and `parent-hash` of USBGuard 1.x, so that a USBGuard rule with
/// `hash "..."` matches the same device in Nazorat.
///
/// USBGuard hashes with SHA-256, in this order: the `product` string, the vendor id
/// and product id as the kernel prints them (`idVendor`, `idProduct`), the `serial`
/// string, then the descriptor bytes of ``DescriptorParser/Parsed/hashInput``. The
/// result is standard base64 with padding. A device whose parent is not a USB device
/// (a root hub) gets as parent hash the SHA-256 of the parent's sysfs path relative
/// to `/sys` (e.g. `/devices/pci0000:00/0000:00:14.0`).
public enum DeviceHash {
    /// The hash of a device from its attribute bytes and parsed descriptors.
    public static func device(
        product: [UInt8], vendorID: [UInt8], productID: [UInt8], serial: [UInt8], descriptorHashInput: [UInt8]
    ) -> String {
        var hasher = SHA256()
        for field in [product, vendorID, productID, serial, descriptorHashInput] {
            hasher.update(data: field)
        }
        return encode(hasher.finalize())
    }

    /// The parent hash of a root hub: the hash of its parent's sysfs path (relative to `/sys`).
    public static func of(sysfsPath: String) -> String {
        encode(SHA256.hash(data: Array(sysfsPath.utf8)))
    }

    private static func encode(_ digest: SHA256.Digest) -> String {
        Data(digest).base64EncodedString()
    }
}
