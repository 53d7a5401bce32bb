/// The counters of every ballot scanner and how each report is judged.
///
/// Reports carry cumulative values, so a repeat is harmless and a decrease is evidence.
/// The current values only ever rise: a report that would lower a counter is an anomaly,
/// kept as evidence, and the last good values stay current. The outcome of a set of good
/// reports therefore does not depend on their order.
public struct CounterBook: Sendable, Equatable {
    /// Per scanner port.
    public private(set) var scanners: [String: ScannerRecord]

    /// A book of `scanners` (as loaded at start).
    public init(_ scanners: [String: ScannerRecord] = [:]) {
        self.scanners = scanners
    }

    /// Why a report was not accepted.
    public enum Anomaly: String, Sendable, CaseIterable {
        /// The protective (lifetime) counter went down.
        case protectiveDecreased = "counter.protective-decreased"
        /// The public counter went down without a polls-open reset.
        case publicDecreased = "counter.public-decreased"
        /// The port is not sealed as a ballot scanner.
        case notASealedScanner = "counter.unknown-scanner"
        /// The sealed scanner at the port is not connected.
        case scannerAbsent = "counter.scanner-absent"
        /// The polls are closed: the counters are final.
        case afterClose = "counter.after-close"

        /// How serious it is: any sign of a changed count is critical.
        public var severity: Severity {
            switch self {
            case .protectiveDecreased, .publicDecreased, .afterClose: .critical
            case .notASealedScanner, .scannerAbsent: .error
            }
        }
    }

    /// The judgement of one report.
    public enum Outcome: Sendable, Equatable {
        /// Accepted; `changed` is false for a repeat of the current values.
        case accepted(changed: Bool)
        /// Refused as `anomaly`, with a sentence saying what was seen.
        case anomaly(Anomaly, detail: String)
    }

    /// Judges `report` for the scanner at `port` and, if it is good, makes it current.
    /// `isSealedScanner`: the seal has a ballot scanner at `port`; `isConnected`: a device
    /// with the sealed identity is present there.
    public mutating func report(_ report: ScannerCounters, port: String, phase: PollsPhase,
                                isSealedScanner: Bool, isConnected: Bool) -> Outcome {
        guard isSealedScanner else {
            return .anomaly(.notASealedScanner, detail: "counters reported for \(port), which is not a sealed ballot scanner")
        }
        guard isConnected else {
            return .anomaly(.scannerAbsent, detail: "counters reported for \(port), but the sealed scanner is not connected")
        }
        guard report.publicCount >= 0, report.protectiveCount >= 0 else {
            return .anomaly(.publicDecreased, detail: "negative counters reported for \(port)")
        }
        var record = scanners[port] ?? ScannerRecord(current: nil, protectiveAtOpen: nil)
        if let current = record.current {
            if report == current { return .accepted(changed: false) }
            if phase == .closed {
                return .anomaly(.afterClose, detail: "\(port) reported \(Self.text(report)) after the polls closed; "
                                + "the final counters are \(Self.text(current))")
            }
            if report.protectiveCount < current.protectiveCount {
                return .anomaly(.protectiveDecreased, detail: "\(port)'s protective counter went down from "
                                + "\(current.protectiveCount) to \(report.protectiveCount)")
            }
            if report.publicCount < current.publicCount {
                return .anomaly(.publicDecreased, detail: "\(port)'s public counter went down from "
                                + "\(current.publicCount) to \(report.publicCount) without a polls-open reset")
            }
        } else if phase == .closed {
            return .anomaly(.afterClose, detail: "\(port) reported \(Self.text(report)) after the polls closed")
        }
        record.current = report
        scanners[port] = record
        return .accepted(changed: true)
    }

    /// Opens the polls: every public counter restarts from 0 and each protective counter is
    /// recorded, so that ballots cast can be told from ballots scanned before.
    public mutating func openPolls(scannerPorts: [String]) {
        for port in Set(scannerPorts).union(scanners.keys) {
            var record = scanners[port] ?? ScannerRecord(current: nil, protectiveAtOpen: nil)
            let protective = record.current?.protectiveCount
            record.protectiveAtOpen = protective
            record.current = protective.map { ScannerCounters(publicCount: 0, protectiveCount: $0) }
            scanners[port] = record
        }
    }

    static func text(_ counters: ScannerCounters) -> String {
        "public \(counters.publicCount), protective \(counters.protectiveCount)"
    }
}
