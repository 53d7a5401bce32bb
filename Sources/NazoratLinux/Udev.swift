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
}
