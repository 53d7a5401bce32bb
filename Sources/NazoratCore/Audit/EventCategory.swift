/// What kind of happening an event records: the `Type` of an event in the election event
/// log format (NIST SP 1500-101), which leaves the vocabulary to the device's maker and asks
/// for it to be documented (`nazoratd catalog --format cdf`).
public enum EventCategory: String, Sendable, CaseIterable {
    case systemStatus = "system-status"
    case deviceChange = "device-change"
    case policyDecision = "policy-decision"
    case alarm = "alarm"
    case userAction = "user-action"
    case accessControl = "access-control"
    case ballotCount = "ballot-count"

    /// The documentation of the category.
    public var description: String {
        switch self {
        case .systemStatus:
            "The supervision daemon itself: started, stopped, its configuration reloaded, its storage or its "
                + "view of the USB bus recovered, its log's chain restarted or events lost."
        case .deviceChange:
            "A USB device or interface appeared, left, changed in place, or could not be read."
        case .policyDecision:
            "The device policy decided a device or an interface, and what was written to the kernel."
        case .alarm:
            "An alarm was raised, regraded or cleared: the equipment is not as commissioned, or the station "
                + "cannot supervise it."
        case .userAction:
            "A person at the station acted: sealed the inventory, opened or closed the polls, acknowledged "
                + "an alarm, overrode a decision, exported the outbox for central."
        case .accessControl:
            "A request on the control socket was refused for lack of permission."
        case .ballotCount:
            "A ballot scanner reported its counters, the counters did something a counter must not, a "
                + "final report was submitted or refused, or the zero or closing report was made."
        }
    }
}

/// The outcome an event records, in the election event log format's terms.
public enum EventDisposition: String, Sendable {
    /// Something was attempted and done.
    case success
    /// Something was attempted and did not happen.
    case failure
    /// An observation: nothing was attempted.
    case notApplicable = "na"
}

extension EventType {
    /// The event's category.
    public var category: EventCategory {
        switch self {
        case .daemonStarted, .daemonStopped, .monitorRescanned, .configReloaded, .configReloadRefused,
             .storageRecovered, .eventsLost, .logChainRestarted:
            .systemStatus
        case .deviceAdded, .deviceRemoved, .deviceChanged, .deviceInterface, .deviceUnreadable:
            .deviceChange
        case .policyDecision, .interfaceDecision, .enforcementWrite, .enforcementFailed:
            .policyDecision
        case .alarmRaised, .alarmRegraded, .alarmCleared:
            .alarm
        case .alarmAcknowledged, .deviceOverride, .pollsOpened, .pollsClosed, .inventorySealed, .bundleExported,
             .pollsOpenRefused, .pollsOpenForced:
            .userAction
        case .controlDenied:
            .accessControl
        case .countersReported, .countersAnomaly, .resultsSubmitted, .resultsRefused, .pollsZeroReport,
             .pollsClosingReport:
            .ballotCount
        }
    }

    /// Whether the event records something done, something that failed, or an observation.
    public var disposition: EventDisposition {
        switch self {
        case .enforcementFailed, .configReloadRefused, .eventsLost, .deviceUnreadable, .controlDenied,
             .resultsRefused, .pollsOpenRefused:
            .failure
        case .daemonStarted, .daemonStopped, .enforcementWrite, .alarmAcknowledged, .deviceOverride, .pollsOpened,
             .pollsClosed, .inventorySealed, .configReloaded, .storageRecovered, .resultsSubmitted, .bundleExported,
             .pollsOpenForced, .pollsZeroReport, .pollsClosingReport:
            .success
        case .deviceAdded, .deviceRemoved, .deviceChanged, .deviceInterface, .monitorRescanned, .policyDecision,
             .interfaceDecision, .alarmRaised, .alarmCleared, .alarmRegraded, .countersReported, .countersAnomaly,
             .logChainRestarted:
            .notApplicable
        }
    }
}
