import Glibc

/// An exclusive lock on the state directory (`state-dir/lock`, flock): one writer of the
/// event log at a time, so that an offline tool cannot fork the chain under a running daemon.
public final class StateLock: Sendable {
    private let fd: Int32

    /// Takes the lock, or throws when another process holds it.
    public init(directory: String) throws(StoreError) {
        try StateDirectory.ensureDirectory(directory)
        let path = directory + "/lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .file(path: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            close(fd)
            if error == EWOULDBLOCK {
                throw .locked(path: directory)
            }
            throw .file(path: path, errno: error)
        }
    }

    deinit { close(fd) }
}
