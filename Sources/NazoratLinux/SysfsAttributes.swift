import Glibc

/// Reads sysfs attribute files as bytes, the way USBGuard's `SysFSDevice::readAttribute` does:
/// one read of at most a page, trailing NUL, newline, carriage return, tab and backspace trimmed.
enum SysfsAttributes {
    /// A sysfs attribute is at most one page.
    static let pageSize = 4096

    /// The attribute's bytes, or `nil` when the file does not exist.
    static func read(_ path: String, trim: Bool = true) throws(DeviceReadError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let error = errno
            if error == ENOENT || error == ENODEV { return nil }
            throw .io(path: path, errno: error)
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: pageSize)
        var count: Int
        repeat {
            count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, pageSize) }
        } while count < 0 && errno == EINTR
        guard count >= 0 else {
            let error = errno
            if error == ENOENT || error == ENODEV { return nil }
            throw .io(path: path, errno: error)
        }
        var bytes = Array(buffer.prefix(count))
        if trim {
            while let last = bytes.last, [0, 0x0A, 0x0D, 0x09, 0x08].contains(last) { bytes.removeLast() }
        }
        return bytes
    }

    /// Whether the directory of a device still exists (its `uevent` file is readable).
    static func exists(_ syspath: String) -> Bool {
        access(syspath + "/uevent", F_OK) == 0
    }
}
