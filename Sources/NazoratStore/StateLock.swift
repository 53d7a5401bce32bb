import NazoratLinux

/// An exclusive lock on the state directory (`state-dir/lock`, flock): one writer of the
/// event log at a time, so that an offline tool cannot fork the chain under a running daemon.
public final class StateLock: Sendable {
    private let lock: FileLock

    /// Takes the lock, or throws when another process holds it.
    public init(directory: String) throws(StoreError) {
        try StateDirectory.ensureDirectory(directory)
        do {
            lock = try FileLock(path: directory + "/lock")
        } catch {
            switch error {
            case .held: throw .locked(path: directory)
            case .file(let failure): throw .file(failure)
            }
        }
    }
}
