/// What one client may cost central before it has signed in: bcrypt runs on as many threads
/// as there are cores, and every refusal is a write shared with the stations' envelopes, so
/// both are bounded, per client address and in all.
actor DashboardLimits {
    /// Sign-ins being checked at once (each a cost-12 bcrypt), in all.
    static let verifyingAtOnce = 2
    /// Failed sign-ins a client address may make in a minute before it must wait.
    static let failuresPerMinute = 5
    /// Refusals a client address gets written to the audit in a minute; past that they are
    /// counted in central's log instead.
    static let auditedRefusalsPerMinute = 20

    private var verifying = 0
    private var failures: [String: [Int64]] = [:]
    private var refusals: [String: [Int64]] = [:]
    private var unrecorded: [String: Int] = [:]
    private let now: @Sendable () -> Int64

    init(now: @escaping @Sendable () -> Int64) {
        self.now = now
    }

    /// The address of `peer` without its port (`[IPv4]10.1.2.3/10.1.2.3:50122` → its address part).
    static func client(_ peer: String) -> String {
        peer.lastIndex(of: ":").map { String(peer[..<$0]) } ?? peer
    }

    /// Whether a sign-in from `peer` may be checked now; if so, ``finishSignIn(_:failed:)`` must follow.
    func admitSignIn(_ peer: String) -> Bool {
        let recent = Self.lastMinute(failures[Self.client(peer)] ?? [], now: now())
        failures[Self.client(peer)] = recent
        guard verifying < Self.verifyingAtOnce, recent.count < Self.failuresPerMinute else { return false }
        verifying += 1
        return true
    }

    func finishSignIn(_ peer: String, failed: Bool) {
        verifying -= 1
        if failed { failures[Self.client(peer), default: []].append(now()) }
    }

    /// Whether a refusal of `peer` goes to the audit; nil when it does, else how many of that
    /// client's refusals went unrecorded this minute (for the log, once every 100).
    func auditRefusal(_ peer: String) -> Int? {
        let client = Self.client(peer)
        let recent = Self.lastMinute(refusals[client] ?? [], now: now())
        guard recent.count >= Self.auditedRefusalsPerMinute else {
            refusals[client] = recent + [now()]
            unrecorded[client] = nil
            return nil
        }
        refusals[client] = recent
        unrecorded[client, default: 0] += 1
        return unrecorded[client]
    }

    private static func lastMinute(_ times: [Int64], now: Int64) -> [Int64] {
        times.filter { now - $0 < 60_000_000 }
    }
}
