import NazoratCore
import NazoratLinux
import NazoratStore
import Synchronization

/// The daemon's current picture of the station, kept by the services that change it and read
/// by whoever reports it. Each change that alters the one-line summary is sent to systemd as
/// `STATUS=`, so `systemctl status nazoratd` is never stale.
final class StatusBoard: Sendable {
    private struct State {
        var present: [USBDevice] = []
        /// `present` in port order, made at the first read after a change: a hot-plug storm
        /// changes the devices a thousand times between two reads, and sorting a thousand
        /// ports at each change took hot-plug CPU from 2.5 to 10 s per 1,000 (BENCHMARKS.md).
        var sortedPresent: [USBDevice]?
        var inventory: Inventory?
        var alarms: [Alarm]
        var phase: PollsPhase
        var storageFailure: String?
        var counters: [String: ScannerRecord]
        var published: String?
        /// Every alarm kind shown so far, so that the metrics of a cleared kind go to 0.
        var kinds: Set<AlarmKind> = []

        var summary: StationSummary {
            StationSummary(present: present, inventory: inventory, alarms: alarms, phase: phase,
                           storageFailure: storageFailure)
        }
    }

    private let state: Mutex<State>
    private let metrics: StationMetrics
    /// The clock against central, as the uplink last measured it (not kept across restarts:
    /// the next delivery measures it again).
    private let clockAgainstCentral = Mutex<CentralClock?>(nil)

    /// A board starting from what the database held at start, showing its numbers in `metrics` too.
    init(inventory: Inventory?, alarms: [Alarm], phase: PollsPhase, counters: [String: ScannerRecord],
         metrics: StationMetrics) {
        state = Mutex(State(inventory: inventory, alarms: alarms, phase: phase, counters: counters))
        self.metrics = metrics
    }

    /// The summary now.
    var summary: StationSummary { state.withLock { $0.summary } }

    /// The devices present after the last observation, in port order.
    var present: [USBDevice] {
        state.withLock { state in
            if let sorted = state.sortedPresent { return sorted }
            let sorted = PortOrder.sorted(state.present, port: \.port)
            state.sortedPresent = sorted
            return sorted
        }
    }

    /// The seal in force.
    var inventory: Inventory? { state.withLock { $0.inventory } }

    /// The ballot scanners' counters.
    var counters: [String: ScannerRecord] { state.withLock { $0.counters } }

    /// Records the alarms after a change that concerns no device (an acknowledgement, the outbox).
    func alarmsChanged(_ alarms: [Alarm]) {
        update { $0.alarms = alarms }
    }

    /// Records accepted counters and the alarms after a report.
    func countersChanged(_ counters: [String: ScannerRecord], alarms: [Alarm]) {
        update { $0.counters = counters; $0.alarms = alarms }
    }

    /// Records a new polls phase, the counters after it and the regraded alarms.
    func phaseChanged(_ phase: PollsPhase, counters: [String: ScannerRecord], alarms: [Alarm]) {
        update { $0.phase = phase; $0.counters = counters; $0.alarms = alarms }
    }

    /// Records the present devices and the open alarms after an observation.
    func devicesChanged(present: [USBDevice], alarms: [Alarm]) {
        update { $0.present = present; $0.sortedPresent = nil; $0.alarms = alarms }
    }

    /// Records a new seal and the alarms after it.
    func sealed(_ inventory: Inventory, alarms: [Alarm]) {
        update { $0.inventory = inventory; $0.alarms = alarms }
    }

    /// Records a change in the event log's storage.
    func storageChanged(_ storage: EventLog.StorageState) {
        update {
            switch storage {
            case .healthy: $0.storageFailure = nil
            case .failing(let reason, _, _): $0.storageFailure = reason
            }
        }
    }

    /// The clock against central, if the uplink measured it since the start.
    var centralClock: CentralClock? {
        get { clockAgainstCentral.withLock { $0 } }
        set { clockAgainstCentral.withLock { $0 = newValue } }
    }

    /// Publishes the status line and READY=1: the devices are enumerated and decided.
    func ready() {
        state.withLock { state in
            state.published = state.summary.statusLine
            SystemdNotifier.notify(["READY": "1", "STATUS": state.published ?? ""])
        }
    }

    private func update(_ change: (inout State) -> Void) {
        state.withLock { state in
            change(&state)
            let summary = state.summary
            state.kinds.formUnion(summary.alarms.map(\.kind))
            metrics.show(summary, kinds: state.kinds)
            let line = summary.statusLine
            // Before READY the line is kept back: systemd shows "starting" until then.
            guard let published = state.published, published != line else { return }
            state.published = line
            SystemdNotifier.notify(["STATUS": line])
        }
    }
}
