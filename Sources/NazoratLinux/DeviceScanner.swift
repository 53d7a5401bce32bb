import NazoratCore

/// One pass over the USB devices present now (coldplug, or a rescan after lost events).
public struct DeviceScan: Sendable {
    /// The devices read, parents before children.
    public var devices: [USBDevice]
    /// Devices that were listed but could not be read (most often: they vanished).
    public var unreadable: [DeviceReadError]

    /// The devices in natural port order (`usb1`, `1-1`, `1-1.2`, ...), for people.
    public var inPortOrder: [USBDevice] { PortOrder.sorted(devices, port: \.port) }

    /// One warning line per unreadable device.
    public var warnings: [String] { unreadable.map { "warning: device skipped: \($0)" } }
}

/// Lists every USB device (``USBBus``) and reads each one through libudev and sysfs.
public enum DeviceScanner {
    /// Scans the present devices once, without a monitor (`nazoratd devices`).
    public static func scan() throws(DeviceWatcherError) -> DeviceScan {
        try scan(context: UdevContext())
    }

    static func scan(context: UdevContext) throws(DeviceWatcherError) -> DeviceScan {
        var result = DeviceScan(devices: [], unreadable: [])
        var hashes: [String: String] = [:]
        for syspath in try USBBus.deviceSyspaths() {
            guard let device = context.device(syspath: syspath) else {
                result.unreadable.append(.vanished(syspath: syspath))
                continue
            }
            guard device.devtype == "usb_device" else { continue }
            do {
                let read = try DeviceReader.read(device) { hashes[$0] }
                hashes[read.syspath] = read.hash
                result.devices.append(read)
            } catch {
                result.unreadable.append(error)
            }
        }
        return result
    }
}
