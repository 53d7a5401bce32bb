/// Why the device watcher could not start or go on.
public enum DeviceWatcherError: Error, Sendable, CustomStringConvertible {
    /// A libudev call failed.
    case udev(_ call: String, errno: Int32)
    /// A sysfs directory could not be listed.
    case sysfs(_ path: String, errno: Int32)

    public var description: String {
        switch self {
        case .udev(let call, let errno): "\(call) failed: \(ErrnoText.describe(errno))"
        case .sysfs(let path, let errno): "listing \(path) failed: \(ErrnoText.describe(errno))"
        }
    }
}

/// Why one device could not be read.
public enum DeviceReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The device disappeared while it was being read (USBGuard issues #315, #689).
    case vanished(syspath: String)
    /// A mandatory attribute is missing although the device is still there.
    case missingAttribute(path: String)
    /// An attribute could not be read.
    case io(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .vanished(let syspath): "\(syspath) vanished while it was being read"
        case .missingAttribute(let path): "\(path) is missing"
        case .io(let path, let errno): "reading \(path) failed: \(ErrnoText.describe(errno))"
        }
    }
}
