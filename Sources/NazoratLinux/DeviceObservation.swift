import NazoratCore

/// What the device watcher reports, in the order it happened.
public enum DeviceObservation: Sendable, Equatable {
    /// The devices present at start (coldplug), parents first.
    case present([USBDevice])
    /// A device was added, removed or changed; `cause` says how the watcher learnt it.
    case changed(DeviceChange, cause: Cause)
    /// An interface of a device was added, removed, bound or unbound.
    case interface(InterfaceEvent)
    /// A device could not be read and was skipped (never a crash).
    case unreadable(DeviceReadError)
    /// The monitor lost events or failed; the watcher rescanned and reconciled.
    case rescanned(reason: String, changes: Int)

    /// How a change became known.
    public enum Cause: Sendable, Equatable, CustomStringConvertible {
        /// A uevent with this action (`add`, `remove`, `change`, `bind`, `unbind`).
        case uevent(String)
        /// A rescan after lost events.
        case rescan

        public var description: String {
            switch self {
            case .uevent(let action): "uevent \(action)"
            case .rescan: "rescan"
            }
        }
    }
}

/// A uevent about a `usb_interface` (e.g. `1-3:1.1` bound to `usbhid`).
public struct InterfaceEvent: Sendable, Equatable {
    /// The uevent action.
    public var action: String
    /// The interface's kernel name, e.g. `1-3:1.1`.
    public var name: String
    /// The port of the device it belongs to, e.g. `1-3`.
    public var devicePort: String
    /// Class, subclass and protocol from the uevent's `INTERFACE` property.
    public var type: InterfaceType?
    /// The driver (`DRIVER` property), if bound.
    public var driver: String?

    public init(action: String, name: String, devicePort: String, type: InterfaceType?, driver: String?) {
        self.action = action
        self.name = name
        self.devicePort = devicePort
        self.type = type
        self.driver = driver
    }
}
