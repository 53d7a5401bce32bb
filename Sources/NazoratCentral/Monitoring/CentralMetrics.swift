import NazoratCore

/// `GET /metrics`: the country in numbers for Prometheus and its alerting rules
/// (monitoring/prometheus/): national, per-region and per-district counts by state, turnout
/// and final reports by region, and per station (labelled with its region and district) its
/// state, phase, alarms, final report and clock. One series per station for its state and
/// its phase, with the value 1: a state change ends one series and starts another.
enum CentralMetrics {
    static func render(_ glances: [StationGlance], rejections: [String: Int]) -> String {
        var out = PrometheusText()
        let tally = RegionTally(glances)
        out.gauge("nazorat_central_stations", "Stations enrolled.", Double(glances.count))
        out.gauge("nazorat_central_stations_overdue", "Stations down or never seen.", Double(glances.count { $0.overdue }))
        out.gauge("nazorat_central_stations_by_state", "Stations in each state, nationally.", StationState.allCases.map {
            (PrometheusLabels(["state": $0.rawValue]), Double(tally.national.states[$0.rawValue] ?? 0))
        })
        out.gauge("nazorat_central_region_stations", "Stations in each state, per region.", tally.regions.flatMap { region in
            StationState.allCases.map {
                (PrometheusLabels(["region": region.region, "state": $0.rawValue]), Double(region.states[$0.rawValue] ?? 0))
            }
        })
        out.gauge("nazorat_central_district_stations", "Stations in each state, per district.", tally.regions.flatMap { region in
            region.districts.flatMap { district in
                StationState.allCases.map {
                    (PrometheusLabels(["region": region.region, "district": district.district, "state": $0.rawValue]),
                     Double(district.states[$0.rawValue] ?? 0))
                }
            }
        })
        var ballots: [String: Double] = [:], finals: [String: Double] = [:]
        for glance in glances {
            // In Double: the counters are the station's to state; Int64 sums of them could trap.
            let open = glance.phase == "open" && glance.state != .retired
            ballots[glance.region, default: 0] += open ? glance.publicCounts.reduce(0) { $0 + Double($1) } : 0
            finals[glance.region, default: 0] += glance.finalReport ? 1 : 0
        }
        out.gauge("nazorat_central_region_ballots", "Public counters summed over a region's open stations (turnout).",
                  ballots.keys.sorted().map { (PrometheusLabels(["region": $0]), ballots[$0]!) })
        out.gauge("nazorat_central_region_final_reports", "Final reports received, per region.",
                  finals.keys.sorted().map { (PrometheusLabels(["region": $0]), finals[$0]!) })
        // Each station's labels escaped once, for every family of its own.
        let stations = glances.map { (glance: $0, labels: PrometheusLabels(["station": $0.station, "region": $0.region,
                                                                         "district": $0.district])) }
        func each(_ value: (StationGlance) -> Double?) -> [(PrometheusLabels, Double)] {
            stations.compactMap { station in value(station.glance).map { (station.labels, $0) } }
        }
        out.gauge("nazorat_central_station_state", "1 for the station's state (label state).", stations.map {
            ($0.labels.adding("state", $0.glance.state.rawValue), 1)
        })
        out.gauge("nazorat_central_station_phase", "1 for the polls phase of the station's last heartbeat (label phase).",
                  stations.compactMap { station in
                      station.glance.phase.flatMap { PollsPhase(rawValue: $0) }.map { (station.labels.adding("phase", $0.rawValue), 1) }
                  })
        out.gauge("nazorat_central_station_overdue", "1 when the station is down or never seen.", each { $0.overdue ? 1 : 0 })
        out.gauge("nazorat_central_station_final_report", "1 once the station's final report arrived.",
                  each { $0.finalReport ? 1 : 0 })
        out.gauge("nazorat_central_station_accepted_seq", "The highest contiguous envelope seq accepted.",
                  each { Double($0.acceptedSeq) })
        out.gauge("nazorat_central_station_open_alarms", "Alarms open at the station (its last heartbeat).",
                  each { Double($0.openAlarms) })
        out.gauge("nazorat_central_station_clock_jumps", "Wall-clock jumps seen between heartbeats of one boot.",
                  each { Double($0.clockJumps) })
        out.gauge("nazorat_central_station_clock_offset_seconds",
                  "The station's clock minus central's at its last heartbeat's arrival.", each(\.clockOffsetSeconds))
        out.family("nazorat_central_rejections_total", type: "counter", "Envelopes refused since central.db was made, by reason.",
                   rejections.keys.sorted().map { (PrometheusLabels(["reason": $0]), Double(rejections[$0]!)) })
        return out.text
    }
}
