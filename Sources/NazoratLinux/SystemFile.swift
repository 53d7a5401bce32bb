import Glibc
import SystemPackage

/// A file operation that failed: the path, what was being done, and the system's reason,
/// as one plain sentence (`/etc/nazorat/rules.conf: cannot read: No such file or directory`).
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What was being done: `read`, `create`, `write`, `replace`.
    public var operation: String
    /// The system's error.
    public var errno: Errno

    public init(path: String, operation: String, errno: Errno) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "\(path): cannot \(operation): \(ErrnoText.reason(errno.rawValue))" }
}

/// Whole-file reads and durable writes, through swift-system: EINTR is retried, short
/// writes are continued, and errno is taken at the failing call, before a cleanup call
/// can overwrite it. The one place in the project that opens, writes, syncs and renames.
public enum SystemFile {
    /// The contents of `path`, at most `limit` bytes (a larger file is refused, not truncated).
    public static func read(_ path: String, limit: Int = 16 << 20) throws(FileError) -> [UInt8] {
        try attempt(path, "read") {
            let descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
            return try descriptor.closeAfter { try readAll(descriptor, limit: limit) }
        }
    }

    /// The contents of `path`, or nil when it does not exist.
    public static func readIfPresent(_ path: String, limit: Int = 16 << 20) throws(FileError) -> [UInt8]? {
        do throws(FileError) {
            return try read(path, limit: limit)
        } catch {
            if error.errno == .noSuchFileOrDirectory { return nil }
            throw error
        }
    }

    /// The contents and permission bits of a private file (a key), or nil when it does not exist.
    public static func readPrivate(_ path: String, limit: Int) throws(FileError) -> (bytes: [UInt8], permissions: UInt16)? {
        do throws(FileError) {
            return try attempt(path, "read") {
                let descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
                return try descriptor.closeAfter {
                    (try readAll(descriptor, limit: limit), UInt16(try descriptor.stat().permissions.rawValue))
                }
            }
        } catch {
            if error.errno == .noSuchFileOrDirectory { return nil }
            throw error
        }
    }

    /// Creates `path` with `bytes`, synced, only if it does not exist; returns false if it does.
    public static func createExclusive(_ path: String, _ bytes: [UInt8], permissions: UInt16) throws(FileError) -> Bool {
        do throws(FileError) {
            try attempt(path, "create") {
                let descriptor = try FileDescriptor.open(FilePath(path), .writeOnly,
                                                         options: [.create, .exclusiveCreate, .closeOnExec],
                                                         permissions: FilePermissions(rawValue: CModeT(permissions)))
                do {
                    try descriptor.closeAfter { _ = try descriptor.writeAll(bytes); try sync(descriptor) }
                } catch {
                    _ = unlink(path)
                    throw error
                }
            }
            return true
        } catch {
            if error.errno == .fileExists { return false }
            throw error
        }
    }

    /// Replaces `path` by `bytes` atomically: a temporary file beside it, synced, renamed over
    /// it, and the directory synced, so that a crash leaves the old file or the new, never half.
    /// Without `durable` nothing is synced: readers never see half a file, but a power cut
    /// may lose the new one (for files that do not outlive the run).
    public static func replace(_ path: String, with bytes: [UInt8], permissions: UInt16,
                               durable: Bool = true) throws(FileError) {
        let temporary = path + ".new"
        try attempt(path, "replace") {
            let descriptor = try FileDescriptor.open(FilePath(temporary), .writeOnly,
                                                     options: [.create, .truncate, .closeOnExec],
                                                     permissions: FilePermissions(rawValue: CModeT(permissions)))
            do {
                try descriptor.closeAfter {
                    _ = try descriptor.writeAll(bytes)
                    if durable { try sync(descriptor) }
                }
                guard rename(temporary, path) == 0 else { throw Errno(rawValue: Glibc.errno) }
            } catch {
                _ = unlink(temporary)
                throw error
            }
            guard durable else { return }
            let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
            let parent = try FileDescriptor.open(FilePath(directory.isEmpty ? "/" : directory), .readOnly,
                                                 options: [.directory, .closeOnExec])
            try parent.closeAfter { try sync(parent) }
        }
    }

    private static func readAll(_ descriptor: FileDescriptor, limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try descriptor.read(into: $0, retryOnInterrupt: true) }
            if count == 0 { return bytes }
            bytes += chunk.prefix(count)
            if bytes.count > limit { throw Errno.fileTooLarge }
        }
    }

    private static func sync(_ descriptor: FileDescriptor) throws {
        guard fsync(descriptor.rawValue) == 0 else { throw Errno(rawValue: Glibc.errno) }
    }

    /// Runs `body`, naming `path` and `operation` in any error it throws.
    private static func attempt<T>(_ path: String, _ operation: String, _ body: () throws -> T) throws(FileError) -> T {
        do {
            return try body()
        } catch let error as Errno {
            throw FileError(path: path, operation: operation, errno: error)
        } catch {
            throw FileError(path: path, operation: operation, errno: .ioError)
        }
    }
}
