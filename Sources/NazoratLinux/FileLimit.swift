import Glibc

/// The open-file limit. Every control connection is a descriptor, and the soft limit is
/// often 1,024, so a thousand idle clients could starve the daemon of descriptors for its
/// database and udev. nazoratd uses no select(), so it can raise the soft limit to the hard
/// one, as systemd recommends for such services.
public enum FileLimit {
    /// Raises the soft RLIMIT_NOFILE to the hard limit (at most 65,536).
    public static func raise() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let target = min(limit.rlim_max, 65_536)
        guard limit.rlim_cur < target else { return }
        limit.rlim_cur = target
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
