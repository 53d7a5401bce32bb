/// What a client of the control socket may do.
public enum Permission: String, Sendable, CaseIterable, Codable {
    /// Read status, devices, alarms, events, policy, metrics.
    case read
    /// Acknowledge alarms.
    case acknowledgeAlarms = "acknowledge-alarms"
    /// Seal, allow and block devices, change the polls phase.
    case administer
    /// Report ballot counters (scanner software).
    case reportCounters = "report-counters"
    /// Read and acknowledge the outbox (nazorat-uplink).
    case outbox
}

/// A client of the control socket, as the kernel (SO_PEERCRED) and the user database say.
public struct Peer: Sendable, Equatable, Codable {
    /// The client's process id.
    public var pid: Int32
    /// Its user id.
    public var uid: UInt32
    /// Its primary group id.
    public var gid: UInt32
    /// Its user name, when the user database knows the uid.
    public var user: String?
    /// The names of its groups: the primary one and its memberships in the group database.
    public var groups: [String]
    /// Its command line (arguments separated by spaces), escaped and bounded: it is the
    /// client's to choose, so it is as hostile as a device string.
    public var command: String

    /// A peer with these credentials.
    public init(pid: Int32, uid: UInt32, gid: UInt32, user: String?, groups: [String], command: String) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.user = user
        self.groups = groups
        self.command = command
    }

    /// A client over TCP (nazorat-central's): no credentials, only its address.
    public static func remote(_ address: String) -> Peer {
        Peer(pid: 0, uid: UInt32.max, gid: UInt32.max, user: nil, groups: [], command: DeviceString(address).escaped(limit: 80))
    }

    /// What this peer may do (``AccessPolicy``).
    public var permissions: Set<Permission> { AccessPolicy.permissions(uid: uid, user: user, groups: Set(groups)) }

    /// How the peer is named in events and messages, e.g. `uid 1000 (ana) pid 4711`.
    public var description: String {
        "uid \(uid)" + (user.map { " (\($0))" } ?? "") + " pid \(pid)"
    }
}

/// Who may do what on the control socket.
///
/// Group `nazorat` is the socket's group (0660): every client is in it, or root. What a
/// client may then do follows its role, the narrowest first:
/// - root: everything;
/// - user `nazorat-uplink`: only read and acknowledge the outbox (in group nazorat only to
///   reach the socket);
/// - members of `nazorat-scanner` (the scanner software's user): only report counters;
/// - members of `nazorat-admin`: read, acknowledge alarms, seal, allow, block, polls;
/// - members of `nazorat`: read and acknowledge alarms;
/// - anyone else (who reached a socket with looser permissions than shipped): nothing.
public enum AccessPolicy {
    /// The group of technicians, and the socket's group.
    public static let technicians = "nazorat"
    /// The group of administrators.
    public static let administrators = "nazorat-admin"
    /// The group of the scanner software.
    public static let scanners = "nazorat-scanner"
    /// The uplink's user.
    public static let uplink = "nazorat-uplink"

    /// The permissions of a peer with `uid`, user name `user` and group names `groups`.
    public static func permissions(uid: UInt32, user: String?, groups: Set<String>) -> Set<Permission> {
        if uid == 0 { return Set(Permission.allCases) }
        if user == uplink { return [.outbox] }
        if groups.contains(scanners) { return [.reportCounters] }
        if groups.contains(administrators) { return [.read, .acknowledgeAlarms, .administer] }
        if groups.contains(technicians) { return [.read, .acknowledgeAlarms] }
        return []
    }
}
