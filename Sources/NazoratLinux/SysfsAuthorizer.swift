import Glibc

/// Writes the kernel's USB authorization files: `authorized`, `remove` and the root
/// hubs' `authorized_default`. Every write says what happened; nothing is retried
/// silently.
public enum SysfsAuthorizer {
    /// A sysfs write that failed.
    public struct WriteError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file.
        public var path: String
        /// errno.
        public var errno: Int32

        public init(path: String, errno: Int32) {
            self.path = path
            self.errno = errno
        }

        public var description: String { "writing \(path) failed: \(ErrnoText.describe(errno))" }
    }

    /// Writes `value` to `syspath/attribute`.
    public static func write(_ value: String, to attribute: String, of syspath: String) -> Result<Void, WriteError> {
        let path = syspath + "/" + attribute
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(WriteError(path: path, errno: errno)) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        var written: Int
        repeat {
            written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        } while written < 0 && errno == EINTR
        guard written == bytes.count else { return .failure(WriteError(path: path, errno: written < 0 ? errno : EIO)) }
        return .success(())
    }
}
