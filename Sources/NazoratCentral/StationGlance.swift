import FoundationEssentials
import NazoratCore

/// A station as the overviews count it (`/metrics`, `/v1/regions`, the dashboard's feed):
/// its record and the few fields of its newest heartbeat they read. Those fields alone are
/// decoded (``HeartbeatGlance``): decoding every heartbeat whole was 55 % of central's CPU
/// in a `/metrics` scrape of 11,000 stations (perf, release build). ``StationView`` builds
/// on it: the state, the clock offset and the last-seen time are worked out here only.
struct StationGlance {
    var station: String
    var region: String
    var district: String
    var name: String
    var state: StationState
    /// Down or never seen: no heartbeat within the interval and the grace.
    var overdue: Bool
    var phase: String?
    var openAlarms: Int
    /// Each scanner's public counter, as the station states it.
    var publicCounts: [Int64]
    var finalReport: Bool
    var acceptedSeq: Int64
    var clockJumps: Int
    /// The station's wall clock minus central's at the newest heartbeat's arrival, seconds.
    var clockOffsetSeconds: Double?
    private var lastSeenUsec: Int64?

    /// `heartbeat`: the record's, when the caller decoded it already (whole, for a view).
    init(_ record: StationRecord, heartbeat: HeartbeatGlance?, now: Int64, liveness: Liveness) {
        station = record.station
        (region, district, name) = (record.region, record.district, record.name)
        phase = heartbeat?.phase
        state = liveness.state(retired: record.retiredUsec != nil, heartbeatUsec: record.heartbeatUsec, phase: phase,
                               finalReport: record.finalReport != nil, now: now)
        overdue = state == .down || state == .neverSeen
        openAlarms = heartbeat?.openAlarms ?? 0
        publicCounts = heartbeat?.publicCounts ?? []
        finalReport = record.finalReport != nil
        acceptedSeq = record.acceptedSeq
        clockJumps = record.clockJumps
        clockOffsetSeconds = heartbeat.flatMap { beat in
            record.heartbeatUsec.map { (Double(beat.realtimeUsec) - Double($0)) / 1e6 }
        }
        lastSeenUsec = record.lastSeenUsec
    }

    /// The record's newest heartbeat decoded for its glance only.
    init(_ record: StationRecord, now: Int64, liveness: Liveness) {
        let heartbeat = record.heartbeat.flatMap { try? JSONDecoder().decode(HeartbeatGlance.self, from: Data($0.utf8)) }
        self.init(record, heartbeat: heartbeat, now: now, liveness: liveness)
    }

    /// Central's clock when the last envelope arrived (ISO 8601), nil if never: formatted
    /// when asked, for the stations a page lists.
    var lastSeen: String? {
        lastSeenUsec.map { Date(timeIntervalSince1970: Double($0) / 1e6).formatted(.iso8601) }
    }
}

/// The fields of a heartbeat (``HeartbeatPayload``) that the overviews read.
struct HeartbeatGlance: Decodable {
    var phase: String
    var realtimeUsec: Int64
    var openAlarms: Int
    var publicCounts: [Int64]

    init(_ heartbeat: HeartbeatPayload) {
        (phase, realtimeUsec) = (heartbeat.phase, heartbeat.realtimeUsec)
        openAlarms = heartbeat.alarms.count
        publicCounts = heartbeat.counters.compactMap(\.public)
    }

    private enum Keys: String, CodingKey { case phase, realtimeUsec, alarms, counters }
    private enum CounterKeys: String, CodingKey { case `public` }

    init(from decoder: any Decoder) throws {
        let heartbeat = try decoder.container(keyedBy: Keys.self)
        phase = try heartbeat.decode(String.self, forKey: .phase)
        realtimeUsec = try heartbeat.decode(Int64.self, forKey: .realtimeUsec)
        // Counted, not decoded: the overviews show how many alarms, the station's page which.
        openAlarms = try heartbeat.nestedUnkeyedContainer(forKey: .alarms).count ?? 0
        var counters = try heartbeat.nestedUnkeyedContainer(forKey: .counters)
        var counts: [Int64] = []
        while !counters.isAtEnd {
            if let count = try counters.nestedContainer(keyedBy: CounterKeys.self).decodeIfPresent(Int64.self, forKey: .public) {
                counts.append(count)
            }
        }
        publicCounts = counts
    }
}
