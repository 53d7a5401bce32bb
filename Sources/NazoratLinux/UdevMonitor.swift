import CUdev
import Glibc

/// A libudev monitor of subsystem `usb` on the `udev` netlink group.
final class UdevMonitor {
    private let raw: OpaquePointer
    /// The socket to watch for readability.
    let fileDescriptor: Int32

    /// What one receive attempt gave.
    enum Received {
        /// An event.
        case device(UdevDevice)
        /// Nothing more to read now.
        case drained
        /// The receive failed; with ENOBUFS the kernel dropped events.
        case failed(errno: Int32)
    }

    init(context: UdevContext) throws(DeviceWatcherError) {
        guard let raw = udev_monitor_new_from_netlink(context.raw, "udev") else {
            throw .udev("udev_monitor_new_from_netlink", errno: errno)
        }
        self.raw = raw
        var rc = udev_monitor_filter_add_match_subsystem_devtype(raw, "usb", nil)
        if rc >= 0 { rc = udev_monitor_enable_receiving(raw) }
        guard rc >= 0 else {
            udev_monitor_unref(raw)
            throw .udev("udev_monitor_enable_receiving", errno: -rc)
        }
        fileDescriptor = udev_monitor_get_fd(raw)
    }

    deinit { udev_monitor_unref(raw) }

    /// Receives one event without blocking (libudev's socket is non-blocking).
    func receive() -> Received {
        errno = 0
        if let device = udev_monitor_receive_device(raw) { return .device(UdevDevice(owning: device)) }
        let error = errno
        return error == EAGAIN || error == EWOULDBLOCK || error == 0 ? .drained : .failed(errno: error)
    }
}
