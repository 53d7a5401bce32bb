import Foundation

/// The socket file at the configured path, when the server binds it itself.
enum SocketFile {
    /// Creates the parent directory if needed and removes a stale socket a dead daemon left;
    /// refuses when another process listens there or the path is not a socket.
    static func prepare(_ path: String) throws(ControlServerError) {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o755])
            } catch {
                throw .bind(.path(path), reason: "cannot create \(parent): \(error.localizedDescription)")
            }
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw .bind(.path(path), reason: "the path exists and is not a socket")
        }
        if someoneListens(at: path) { throw .bind(.path(path), reason: "another process listens there") }
        unlink(path)
    }

    /// Gives the bound socket mode 0660 and group `nazorat` (when that group exists).
    static func restrict(_ path: String) throws(ControlServerError) {
        guard chmod(path, 0o660) == 0 else { throw .bind(.path(path), reason: "chmod 0660 failed, errno \(errno)") }
        guard let group = getgrnam("nazorat") else { return }
        guard chown(path, uid_t.max, group.pointee.gr_gid) == 0 else {
            throw .bind(.path(path), reason: "chown to group nazorat failed, errno \(errno)")
        }
    }

    private static func someoneListens(at path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
