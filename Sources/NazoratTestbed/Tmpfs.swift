import Glibc
import SystemPackage

/// A small tmpfs mounted for one test, so that "disk full" is a real ENOSPC.
/// Mounting needs root (CI runs as root); the mount goes away with the value.
public final class Tmpfs {
    /// The mount point.
    public let path: String

    /// Why a tmpfs could not be mounted.
    public struct MountError: Error, CustomStringConvertible {
        /// What failed.
        public let description: String
    }

    /// Mounts a tmpfs of `kibibytes` on a fresh directory under /tmp.
    public init(kibibytes: Int) throws(MountError) {
        var template = Array("/tmp/nazorat-tmpfs-XXXXXX".utf8CString)
        guard let directory = mkdtemp(&template) else {
            throw MountError(description: "mkdtemp: \(String(cString: strerror(errno)))")
        }
        path = String(cString: directory)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(kibibytes)k,mode=0700") == 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(path)
            throw MountError(description: "mount tmpfs on \(path): \(reason) (the disk-full tests need root)")
        }
    }

    /// Fills the remaining space with a file and returns its path; delete it to free the space.
    public func fill() -> String {
        let filler = path + "/filler"
        guard let file = try? FileDescriptor.open(FilePath(filler), .writeOnly, options: [.create, .truncate, .closeOnExec],
                                                  permissions: [.ownerReadWrite]) else { return filler }
        defer { try? file.close() }
        // Until the disk is full (ENOSPC ends the loop).
        let chunk = [UInt8](repeating: 0, count: 4096)
        while (try? file.writeAll(chunk)) != nil {}
        return filler
    }

    deinit {
        umount2(path, Int32(MNT_DETACH))
        rmdir(path)
    }
}
