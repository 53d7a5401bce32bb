import Glibc
import SystemPackage

extension SystemFile {
    /// Creates the directory `path` with `permissions` unless it exists.
    public static func makeDirectory(_ path: String, permissions: UInt16) throws(FileError) {
        guard mkdir(path, CModeT(permissions)) == 0 || Glibc.errno == EEXIST else {
            throw FileError(path: path, operation: "create the directory", errno: Errno(rawValue: Glibc.errno))
        }
    }

    /// Whether anything exists at `path`.
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Renames `path` to `target` (both in one file system).
    public static func move(_ path: String, to target: String) throws(FileError) {
        guard rename(path, target) == 0 else {
            throw FileError(path: path, operation: "rename to \(target)", errno: Errno(rawValue: Glibc.errno))
        }
    }
}

/// An exclusive `flock` on a file, held until the lock is released with the value.
public final class FileLock: Sendable {
    /// Why the lock was not taken.
    public enum Failure: Error, Sendable {
        /// Another process holds it.
        case held
        /// The lock file could not be opened.
        case file(FileError)
    }

    private let descriptor: FileDescriptor

    /// Takes the lock on `path` (created with mode 0600), without waiting.
    public init(path: String) throws(Failure) {
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readWrite, options: [.create, .closeOnExec],
                                                 permissions: [.ownerReadWrite])
        } catch {
            throw .file(FileError(path: path, operation: "open", errno: (error as? Errno) ?? .ioError))
        }
        guard flock(descriptor.rawValue, LOCK_EX | LOCK_NB) == 0 else {
            let error = Errno(rawValue: Glibc.errno)
            try? descriptor.close()
            throw error == .wouldBlock ? .held : .file(FileError(path: path, operation: "lock", errno: error))
        }
    }

    deinit { try? descriptor.close() }
}
