import CPeerCredentials
import Foundation
import NazoratCore
import NIOCore

/// Reads who is at the other end of a control connection.
enum PeerCredentials {
    /// The bytes of a command line kept for events.
    static let commandLimit = 256

    /// The peer of `channel`: SO_PEERCRED from the kernel, then names and groups from the
    /// user database, and the command line from /proc (gone if the client already exited).
    static func of(_ channel: Channel) async throws -> Peer {
        guard let provider = channel as? SocketOptionProvider else { throw ChannelError.operationUnsupported }
        let credentials: nazorat_ucred = try await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)).get()
        let user = userName(credentials.uid)
        return Peer(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, user: user,
                    groups: groupNames(user: user, gid: credentials.gid),
                    command: commandLine(pid: credentials.pid))
    }

    private static func userName(_ uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: entry.pw_name)
    }

    /// The primary group and every group the database lists `user` in.
    private static func groupNames(user: String?, gid: gid_t) -> [String] {
        var ids = [gid]
        if let user {
            var count: Int32 = 64
            var buffer = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(user, gid, &buffer, &count) < 0 {
                buffer = [gid_t](repeating: 0, count: Int(count))
                _ = getgrouplist(user, gid, &buffer, &count)
            }
            ids = Array(buffer.prefix(Int(max(count, 0))))
        }
        return Array(Set(ids.compactMap(groupName))).sorted()
    }

    private static func groupName(_ gid: gid_t) -> String? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: entry.gr_name)
    }

    private static func commandLine(pid: pid_t) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else {
            return "(unknown)"
        }
        let arguments = data.split(separator: 0, omittingEmptySubsequences: false).dropLast(data.last == 0 ? 1 : 0)
        let joined = arguments.map { Array($0) }.joined(separator: [UInt8(ascii: " ")])
        return DeviceString(bytes: Array(joined)).escaped(limit: commandLimit)
    }
}
