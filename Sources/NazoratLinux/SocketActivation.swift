import CSystemd

/// The listening socket systemd passes when `nazoratd.socket` starts the daemon.
public enum SocketActivation {
    /// Why the passed sockets cannot be used.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// The inherited listening Unix stream socket, or nil when systemd passed none. The
    /// `LISTEN_*` variables are removed so that child processes do not inherit them.
    public static func inheritedControlSocket() throws(Refusal) -> Int32? {
        let count = sd_listen_fds(1)
        guard count != 0 else { return nil }
        guard count == 1 else {
            throw Refusal(description: count < 0 ? "sd_listen_fds failed: \(ErrnoText.describe(-count))"
                : "systemd passed \(count) sockets; nazoratd.socket must have exactly one ListenStream=")
        }
        let descriptor = SD_LISTEN_FDS_START
        guard sd_is_socket_unix(descriptor, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 else {
            throw Refusal(description: "the socket systemd passed (fd \(descriptor)) is not a listening Unix stream socket")
        }
        return descriptor
    }
}
