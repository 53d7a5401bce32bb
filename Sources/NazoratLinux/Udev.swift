import CUdev
import Glibc

/// An owned `struct udev` context. libudev objects are not thread-safe: every
/// ``UdevContext`` and everything made from it is used on one queue only.
final class UdevContext {
    let raw: OpaquePointer

    init() throws(DeviceWatcherError) {
        guard let raw = udev_new() else { throw .udev("udev_new", errno: errno) }
        self.raw = raw
    }

    deinit { udev_unref(raw) }

    /// Syspaths of every device of subsystem `usb` (devices and interfaces), sorted so
    /// that a parent comes before its children.
    func enumerateUSB() throws(DeviceWatcherError) -> [String] {
        guard let enumerate = udev_enumerate_new(raw) else { throw .udev("udev_enumerate_new", errno: errno) }
        defer { udev_enumerate_unref(enumerate) }
        udev_enumerate_add_match_subsystem(enumerate, "usb")
        let rc = udev_enumerate_scan_devices(enumerate)
        guard rc >= 0 else { throw .udev("udev_enumerate_scan_devices", errno: -rc) }
        var syspaths: [String] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            if let name = udev_list_entry_get_name(current) { syspaths.append(String(cString: name)) }
            entry = udev_list_entry_get_next(current)
        }
        return syspaths.sorted()
    }

    /// The device at `syspath`, or `nil` when it no longer exists.
    func device(syspath: String) -> UdevDevice? {
        udev_device_new_from_syspath(raw, syspath).map(UdevDevice.init(owning:))
    }
}

/// An owned `struct udev_device`, with the few fields the watcher needs copied out.
final class UdevDevice {
    private let raw: OpaquePointer

    init(owning raw: OpaquePointer) { self.raw = raw }

    deinit { udev_device_unref(raw) }

    var syspath: String? { udev_device_get_syspath(raw).map { String(cString: $0) } }
    var sysname: String? { udev_device_get_sysname(raw).map { String(cString: $0) } }
    var devtype: String? { udev_device_get_devtype(raw).map { String(cString: $0) } }
    /// The uevent action (`add`, `remove`, `change`, `bind`, `unbind`) of a monitor event.
    var action: String? { udev_device_get_action(raw).map { String(cString: $0) } }

    /// A udev property (from the uevent), e.g. `DRIVER` or `INTERFACE`.
    func property(_ name: String) -> String? {
        udev_device_get_property_value(raw, name).map { String(cString: $0) }
    }

    /// The parent device's syspath and devtype (the parent is borrowed, so both are copied).
    var parent: (syspath: String, devtype: String?)? {
        guard let parent = udev_device_get_parent(raw), let path = udev_device_get_syspath(parent) else { return nil }
        return (String(cString: path), udev_device_get_devtype(parent).map { String(cString: $0) })
    }
}
