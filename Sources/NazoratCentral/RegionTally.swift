/// `GET /v1/regions`: how many stations are in each state, nationally, per region and per
/// district, the way the monitoring room reads the country.
struct RegionTally: Encodable {
    struct Count: Encodable {
        var total = 0
        /// Stations per ``StationState``, every state present (0 when none).
        var states = Dictionary(uniqueKeysWithValues: StationState.allCases.map { ($0.rawValue, 0) })

        mutating func add(_ state: StationState) {
            total += 1
            states[state.rawValue, default: 0] += 1
        }
    }

    struct District: Encodable {
        var district: String
        var total: Int
        var states: [String: Int]
    }

    struct Region: Encodable {
        var region: String
        var total: Int
        var states: [String: Int]
        var districts: [District]
    }

    var national = Count()
    var regions: [Region] = []

    init(_ stations: [StationGlance]) {
        var byRegion: [String: (count: Count, districts: [String: Count])] = [:]
        for station in stations {
            national.add(station.state)
            byRegion[station.region, default: (Count(), [:])].count.add(station.state)
            byRegion[station.region, default: (Count(), [:])].districts[station.district, default: Count()].add(station.state)
        }
        regions = byRegion.keys.sorted().map { name in
            let region = byRegion[name]!
            return Region(region: name, total: region.count.total, states: region.count.states,
                          districts: region.districts.keys.sorted().map {
                              District(district: $0, total: region.districts[$0]!.total, states: region.districts[$0]!.states)
                          })
        }
    }
}
