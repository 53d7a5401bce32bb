/// Makes a ``PollsReport`` from what the daemon knows at the moment the polls change phase:
/// the one place that decides what the commission is shown as a problem.
public struct ReadinessCheck: Sendable {
    public var station: String
    public var version: String
    public var keyId: String
    public var inventory: Inventory?
    /// The devices connected now.
    public var present: [USBDevice]
    /// The ballot scanners' counters before the phase change.
    public var counters: [String: ScannerRecord]
    public var log: PollsReport.LogState
    public var clock: CentralClock?

    public init(station: String, version: String, keyId: String, inventory: Inventory?, present: [USBDevice],
                counters: [String: ScannerRecord], log: PollsReport.LogState, clock: CentralClock?) {
        self.station = station
        self.version = version
        self.keyId = keyId
        self.inventory = inventory
        self.present = present
        self.counters = counters
        self.log = log
        self.clock = clock
    }

    /// The report for `occasion`, made at `realtimeUsec` for `by`.
    public func report(_ occasion: PollsReport.Occasion, by: String, at realtimeUsec: Int64, preview: Bool = false,
                       force: PollsReport.Force? = nil) -> PollsReport {
        let items = inventory?.items ?? []
        let devices = items.map { item in
            PollsReport.SealedDevice(port: item.port, role: item.role, id: item.id, serial: item.serial,
                                     present: present.contains(where: item.isSealed))
        }
        return PollsReport(
            occasion: occasion, station: station, realtimeUsec: realtimeUsec, version: version, keyId: keyId, by: by,
            preview: preview, devices: devices, scanners: scanners(occasion), log: log, clock: clock,
            problems: problems(occasion, devices: devices), force: force)
    }

    /// Every sealed scanner and every port with counters, in port order.
    private func scanners(_ occasion: PollsReport.Occasion) -> [PollsReport.ScannerCount] {
        let sealed = (inventory?.items ?? []).filter { $0.role == .ballotScanner }.map(\.port)
        return PortOrder.sorted(Set(sealed).union(counters.keys), port: { $0 }).map { port in
            let record = counters[port]
            let current = record?.current
            var count = PollsReport.ScannerCount(port: port, public: current?.publicCount,
                                                 protective: current?.protectiveCount)
            if occasion == .closing {
                count.protectiveAtOpen = record?.protectiveAtOpen
                if let now = current?.protectiveCount, let open = record?.protectiveAtOpen { count.ballots = now - open }
            }
            return count
        }
    }

    private func problems(_ occasion: PollsReport.Occasion, devices: [PollsReport.SealedDevice]) -> [ReadinessProblem] {
        var problems: [ReadinessProblem] = []
        if inventory == nil {
            problems.append(.init(kind: .notSealed, subject: "station",
                                  detail: "the station has no sealed inventory: nothing says which scanners count"))
        }
        for device in devices {
            if device.role == .ballotScanner {
                if !device.present {
                    problems.append(.init(kind: .scannerMissing, subject: device.port,
                                          detail: "the sealed ballot scanner at \(device.port) (\(device.id)) is not connected"))
                }
                // A missing scanner cannot report: its absence is the problem to state.
                guard let current = counters[device.port]?.current else {
                    if device.present {
                        problems.append(.init(kind: .countersNotReported, subject: device.port,
                                              detail: "the ballot scanner at \(device.port) has not reported its counters"))
                    }
                    continue
                }
                if occasion == .zero, current.publicCount != 0 {
                    problems.append(.init(kind: .publicNotZero, subject: device.port,
                                          detail: "the ballot scanner at \(device.port) shows \(current.publicCount) on its "
                                              + "public counter; it must show 0 before the polls open"))
                }
            } else if !device.present {
                problems.append(.init(kind: .deviceMissing, subject: device.port,
                                      detail: "the sealed \(device.role.rawValue) at \(device.port) (\(device.id)) is not connected"))
            }
        }
        if !log.intact {
            problems.append(.init(kind: .logBroken, subject: "log",
                                  // The problem may quote what a damaged database holds.
                                  detail: "the event log does not verify: "
                                      + DeviceString(log.problem ?? "unknown problem").escaped(limit: 256)))
        }
        return problems
    }
}
