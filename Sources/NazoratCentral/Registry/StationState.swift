/// A station the way the monitoring room thinks of it.
public enum StationState: String, Codable, Sendable, CaseIterable {
    /// Enrolled, no heartbeat ever.
    case neverSeen = "never-seen"
    /// Heartbeats arrive on time.
    case up
    /// Past its heartbeat interval, within the grace.
    case late
    /// Past the grace: nothing heard for too long.
    case down
    /// The polls closed and its final report arrived: silence is expected now.
    case done
    /// Taken off the registry (`nazorat-central retire`).
    case retired
}

/// When a station counts as late and as down. A heartbeat comes every `interval`; one that
/// has not come within the interval and a few seconds of delivery is late; past the grace it
/// is down. While the polls are open the grace is shorter: a silent station matters more.
public struct Liveness: Sendable, Equatable {
    /// The stations' heartbeat interval, µs.
    public var interval: Int64
    /// How long past the interval a station is late rather than down, µs (setup, closed).
    public var grace: Int64
    /// The same while its polls are open.
    public var graceOpen: Int64
    /// A heartbeat sent on time arrives a little later (the uplink's round, the network).
    public static let deliverySlack: Int64 = 5_000_000

    public init(intervalSeconds: Int, graceSeconds: Int, graceOpenSeconds: Int) {
        interval = Int64(intervalSeconds) * 1_000_000
        grace = Int64(graceSeconds) * 1_000_000
        graceOpen = Int64(graceOpenSeconds) * 1_000_000
    }

    /// The state of a station with these facts at central's clock `now` (µs).
    public func state(retired: Bool, heartbeatUsec: Int64?, phase: String?, finalReport: Bool, now: Int64) -> StationState {
        if retired { return .retired }
        guard let heartbeatUsec else { return .neverSeen }
        if phase == "closed", finalReport { return .done }
        let age = now - heartbeatUsec
        let downAfter = interval + (phase == "open" ? graceOpen : grace)
        if age <= min(interval + Self.deliverySlack, downAfter) { return .up }
        return age <= downAfter ? .late : .down
    }
}
