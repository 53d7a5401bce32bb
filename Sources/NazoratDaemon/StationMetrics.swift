import Metrics
import NazoratCore
import NazoratStore
import Prometheus

/// The daemon's metrics (swift-metrics, exported by swift-prometheus at `GET /metrics`):
/// devices, alarms by kind, events, decisions, enforcement failures, storage errors.
/// Counters come from the committed events, so that they count what the log holds.
final class StationMetrics: Sendable {
    /// The registry `/metrics` renders.
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    init() {
        factory = PrometheusMetricsFactory(registry: registry)
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] { registry.emitToBuffer() }

    /// Counts committed events, decisions and enforcement failures.
    func committed(_ events: [Event]) {
        for event in events {
            counter("nazorat_events_total", ["type": event.draft.type, "severity": event.draft.severity.rawValue])
            switch event.draft.eventType {
            case .policyDecision:
                let target = EventFields.string("target", inPayload: event.draft.payload) ?? "unknown"
                counter("nazorat_decisions_total", ["target": target])
            case .enforcementFailed:
                counter("nazorat_enforcement_failures_total", [:])
            default:
                break
            }
        }
    }

    /// Counts the storage failures (each time writes start to fail).
    func storageChanged(_ state: EventLog.StorageState) {
        if case .failing = state { counter("nazorat_storage_errors_total", [:]) }
        gauge("nazorat_storage_failing", [:], value: { if case .failing = state { 1 } else { 0 } }())
    }

    /// Sets the device and alarm gauges from `summary`; `kinds` are every alarm kind ever
    /// shown, so that a kind whose alarms all cleared reads 0 instead of keeping its last value.
    func show(_ summary: StationSummary, kinds: Set<AlarmKind>) {
        gauge("nazorat_devices_present", [:], value: summary.present)
        gauge("nazorat_devices_sealed", [:], value: summary.sealed ?? 0)
        gauge("nazorat_devices_missing", [:], value: summary.missing)
        gauge("nazorat_devices_blocked", [:], value: summary.blocked)
        let open = Dictionary(grouping: summary.alarms, by: \.kind).mapValues(\.count)
        for kind in kinds.union(open.keys) { gauge("nazorat_alarms_open", ["kind": kind.rawValue], value: open[kind] ?? 0) }
    }

    private func counter(_ label: String, _ dimensions: [String: String]) {
        Counter(label: label, dimensions: dimensions.sorted { $0.key < $1.key }, factory: factory).increment()
    }

    private func gauge(_ label: String, _ dimensions: [String: String], value: Int) {
        Gauge(label: label, dimensions: dimensions.sorted { $0.key < $1.key }, factory: factory).record(value)
    }
}
