import FoundationEssentials
import NazoratCore

/// What the monitoring room's overview shows, made once per tick for every viewer: the
/// country and each region by state, turnout while the polls are open, final reports after
/// they close, and the stations that need someone first (down, then alarmed, then late).
struct DashboardSnapshot: Encodable, Sendable {
    struct Region: Encodable, Sendable {
        var region: String
        var total: Int
        var states: [String: Int]
        /// Public counters summed over the region's stations whose polls are open.
        var turnout: Int64
        /// Stations whose polls are open.
        var open: Int
        /// Stations that sent their final report.
        var finalReports: Int
    }

    /// One station that needs attention.
    struct Attention: Encodable, Sendable {
        var station: String
        var region: String
        var district: String
        var name: String
        var state: StationState
        var openAlarms: Int
        var lastSeen: String?
    }

    var generatedAt: String
    var national: RegionTally.Count
    var turnout: Int64
    var regions: [Region]
    var attention: [Attention]
    /// How many need attention in all (the list shows the first ``attentionLimit``).
    var attentionTotal: Int

    static let attentionLimit = 200

    init(_ stations: [StationGlance], now: Int64) {
        generatedAt = Date(timeIntervalSince1970: Double(now) / 1e6).formatted(.iso8601)
        var national = RegionTally.Count()
        var regions: [String: Region] = [:]
        for station in stations {
            national.add(station.state)
            var region = regions[station.region] ?? Region(region: station.region, total: 0, states: RegionTally.Count().states,
                                                        turnout: 0, open: 0, finalReports: 0)
            region.total += 1
            region.states[station.state.rawValue, default: 0] += 1
            // A retired station's last heartbeat counts for nothing.
            if station.phase == "open", station.state != .retired {
                region.open += 1
                region.turnout = station.publicCounts.reduce(region.turnout, Self.add)
            }
            if station.finalReport { region.finalReports += 1 }
            regions[station.region] = region
        }
        self.national = national
        self.regions = regions.keys.sorted().compactMap { regions[$0] }
        turnout = self.regions.reduce(0) { Self.add($0, $1.turnout) }
        let needy = stations.filter { $0.state == .down || $0.state == .late || ($0.state != .retired && $0.openAlarms > 0) }
            .sorted { Self.urgency($0) != Self.urgency($1) ? Self.urgency($0) < Self.urgency($1) : $0.station < $1.station }
        attentionTotal = needy.count
        attention = needy.prefix(Self.attentionLimit).map {
            Attention(station: $0.station, region: $0.region, district: $0.district, name: $0.name, state: $0.state,
                      openAlarms: $0.openAlarms, lastSeen: $0.lastSeen)
        }
    }

    /// The most ballots a count may hold: JavaScript's exact integers (2^53 − 1). The counters
    /// are the stations' to state; a sum saturates there instead of wrapping.
    static let ballotLimit: Int64 = 9_007_199_254_740_991

    static func add(_ total: Int64, _ count: Int64) -> Int64 {
        min(ballotLimit, total + min(ballotLimit, max(0, count)))
    }

    /// Down first, then alarmed, then late.
    private static func urgency(_ station: StationGlance) -> Int {
        station.state == .down ? 0 : station.openAlarms > 0 ? 1 : 2
    }
}
