import NazoratCore
import NazoratLinux

/// The devices present now, as the supervisor asks for them: the udev watcher on a
/// station, a list in the in-process unit tests.
protocol DeviceSource: Sendable {
    /// The present devices, in no particular order.
    var unorderedDevices: [USBDevice] { get }
}

extension DeviceWatcher: DeviceSource {}

/// Where enforcement writes `authorized`, `authorized_default` and `remove`: sysfs on a
/// station, a recorder in the in-process unit tests.
protocol AuthorizationWriter: Sendable {
    /// Writes `value` to `syspath/attribute`.
    func write(_ value: String, to attribute: String, of syspath: String) -> Result<Void, SysfsAuthorizer.WriteError>
}

/// The kernel's sysfs, through NazoratLinux.
struct SysfsWriter: AuthorizationWriter {
    func write(_ value: String, to attribute: String, of syspath: String) -> Result<Void, SysfsAuthorizer.WriteError> {
        SysfsAuthorizer.write(value, to: attribute, of: syspath)
    }
}
