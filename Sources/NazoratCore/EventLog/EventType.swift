/// Every kind of event nazoratd records: a stable dotted name (stored in the log, hashed in
/// the chain, and the seed of its journal MESSAGE_ID). A new event type is a new case here
/// and its catalog text in EventCatalog.swift, which the compiler asks for.
public enum EventType: String, Sendable, CaseIterable, Codable {
    case daemonStarted = "daemon.started"
    case daemonStopped = "daemon.stopped"
    case deviceAdded = "device.added"
    case deviceRemoved = "device.removed"
    case deviceChanged = "device.changed"
    case deviceInterface = "device.interface"
    case deviceUnreadable = "device.unreadable"
    case monitorRescanned = "monitor.rescanned"
    case policyDecision = "policy.decision"
    case interfaceDecision = "interface.decision"
    case enforcementWrite = "enforcement.write"
    case enforcementFailed = "enforcement.failed"
    case alarmRaised = "alarm.raised"
    case alarmAcknowledged = "alarm.acknowledged"
    case alarmCleared = "alarm.cleared"
    case deviceOverride = "device.override"
    case controlDenied = "control.denied"
    case countersReported = "counters.reported"
    case countersAnomaly = "counters.anomaly"
    case pollsOpened = "polls.opened"
    case pollsClosed = "polls.closed"
    case pollsZeroReport = "polls.zero-report"
    case pollsClosingReport = "polls.closing-report"
    case pollsOpenRefused = "polls.open-refused"
    case pollsOpenForced = "polls.open-forced"
    case resultsSubmitted = "results.submitted"
    case resultsRefused = "results.refused"
    case alarmRegraded = "alarm.regraded"
    case inventorySealed = "inventory.sealed"
    case configReloaded = "config.reloaded"
    case configReloadRefused = "config.reload-refused"
    case storageRecovered = "storage.recovered"
    case eventsLost = "events.lost"
    case logChainRestarted = "log.chain-restarted"
    case bundleExported = "bundle.exported"
}

extension EventType {
    /// Whether the event is about an alarm (its payload names the alarm's kind).
    public var concernsAnAlarm: Bool {
        [.alarmRaised, .alarmAcknowledged, .alarmCleared, .alarmRegraded].contains(self)
    }
}
