import Glibc
import NazoratCore

/// The usb_devices the kernel lists in `/sys/bus/usb/devices`, read directly.
///
/// libudev's enumerator builds a device object for every entry (interfaces included), each
/// resolving its path one component at a time: for 1,000 devices that was a fifth of a
/// coldplug. Here an entry costs one `readlink`, and interfaces are skipped by name
/// (``USBSysfsName``).
enum USBBus {
    /// Where the USB core links its devices and interfaces.
    static let directory = "/sys/bus/usb/devices"

    /// The syspaths of the usb_devices present, sorted (so parents come before children).
    static func deviceSyspaths() throws(DeviceWatcherError) -> [String] {
        guard let listing = opendir(directory) else {
            let error = errno
            // No USB bus at all (no controller, or sysfs without USB): nothing is present.
            if error == ENOENT { return [] }
            throw .sysfs(directory, errno: error)
        }
        defer { closedir(listing) }
        var syspaths: [String] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard USBSysfsName.isDevice(name), let target = link(directory + "/" + name) else { continue }
            syspaths.append(resolve(target, against: directory))
        }
        return syspaths.sorted()
    }

    /// The target of the symbolic link at `path`, or `nil` when it vanished.
    private static func link(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let count = readlink(path, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }

    /// `target` (relative, `../../../devices/...`) made absolute against `base`.
    static func resolve(_ target: String, against base: String) -> String {
        guard !target.hasPrefix("/") else { return target }
        var components = base.split(separator: "/")
        for component in target.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }
}
