/// What the envelopes carry. Every payload starts with the ``EnvelopeHeader`` fields
/// (station, seq, kind, createdUsec), so that central can read them before the rest.

/// A scanner's counters in a heartbeat or final report (protective counts absent while
/// the polls are open: ballot counts only).
public struct CounterSummary: Codable, Sendable, Equatable {
    public var port: String
    public var `public`: Int64?
    public var protective: Int64?

    public init(port: String, public publicCount: Int64?, protective: Int64?) {
        self.port = port
        self.public = publicCount
        self.protective = protective
    }
}

extension CounterSummary {
    /// The counters of `scanners` in port order as `phase` shows them: ballot counts only
    /// while the polls are open (status, heartbeats), both counters otherwise.
    public static func list(_ scanners: [String: ScannerRecord], phase: PollsPhase) -> [CounterSummary] {
        PortOrder.sorted(scanners, port: \.key).map { port, record in
            CounterSummary(port: port, public: record.current?.publicCount,
                           protective: phase == .open ? nil : record.current?.protectiveCount)
        }
    }
}

/// One contest's totals, as the scanner software submits them and the final report carries them.
public struct ContestTotals: Codable, Sendable, Equatable {
    /// The contest's identifier.
    public var contest: String
    /// Votes per choice.
    public var totals: [String: Int64]

    public init(contest: String, totals: [String: Int64]) {
        self.contest = contest
        self.totals = totals
    }
}

/// An open alarm in a heartbeat.
public struct AlarmSummary: Codable, Sendable, Equatable {
    public var kind: String
    public var severity: String
    public var port: String
    public var state: String

    public init(kind: String, severity: String, port: String, state: String) {
        self.kind = kind
        self.severity = severity
        self.port = port
        self.state = state
    }
}

/// The device counts that status and heartbeats show.
public struct DeviceCounts: Codable, Sendable, Equatable {
    /// USB devices present now.
    public var present: Int
    /// Sealed devices; absent before the first seal.
    public var sealed: Int?
    /// Sealed devices not present with their sealed identity.
    public var missing: Int
    /// Present devices that are not authorized.
    public var blocked: Int

    public init(present: Int, sealed: Int?, missing: Int, blocked: Int) {
        self.present = present
        self.sealed = sealed
        self.missing = missing
        self.blocked = blocked
    }
}

/// The event log's head: its last seq and chain hash.
public struct LogHead: Codable, Sendable, Equatable {
    public var seq: Int64
    public var hash: String

    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }
}

/// `heartbeat`: the station is alive, and how it is.
public struct HeartbeatPayload: Codable, Sendable, Equatable {
    public var station: String
    public var seq: Int64
    public var kind: String
    public var createdUsec: Int64
    public var phase: String
    public var mode: String
    public var uptimeSeconds: Double
    public var bootId: String
    public var version: String
    public var devices: DeviceCounts
    public var alarms: [AlarmSummary]
    public var counters: [CounterSummary]
    public var log: LogHead?
    /// The station's clocks when it was made: realtime and monotonic, µs.
    public var realtimeUsec: Int64
    public var monotonicUsec: Int64

    public init(station: String, seq: Int64, createdUsec: Int64, phase: String, mode: String, uptimeSeconds: Double,
                bootId: String, version: String, devices: DeviceCounts, alarms: [AlarmSummary], counters: [CounterSummary],
                log: LogHead?, realtimeUsec: Int64, monotonicUsec: Int64) {
        self.station = station
        self.seq = seq
        kind = "heartbeat"
        self.createdUsec = createdUsec
        self.phase = phase
        self.mode = mode
        self.uptimeSeconds = uptimeSeconds
        self.bootId = bootId
        self.version = version
        self.devices = devices
        self.alarms = alarms
        self.counters = counters
        self.log = log
        self.realtimeUsec = realtimeUsec
        self.monotonicUsec = monotonicUsec
    }
}

/// One event as an `events` envelope carries it: every field of the chain, so that central
/// can recompute each hash and check that the chain extends the head it has.
public struct ChainedEvent: Codable, Sendable, Equatable {
    public var seq: Int64
    public var realtimeUsec: Int64
    public var monotonicUsec: Int64
    public var bootId: String
    public var type: String
    public var severity: String
    public var subject: String
    public var message: String
    public var payload: String
    public var prevHash: String
    public var hash: String

    /// `event` as carried.
    public init(_ event: Event) {
        seq = event.seq
        realtimeUsec = event.draft.time.realtimeUSec
        monotonicUsec = event.draft.time.monotonicUSec
        bootId = event.draft.time.bootID
        type = event.draft.type
        severity = event.draft.severity.rawValue
        subject = event.draft.subject
        message = event.draft.message
        payload = event.draft.payload
        prevHash = event.prevHash
        hash = event.hash
    }

    /// The event, if its severity is known.
    public var event: Event? {
        guard let severity = Severity(rawValue: severity) else { return nil }
        return Event(seq: seq, draft: EventDraft(
            storedType: type, severity: severity, subject: subject, message: message, payload: payload,
            time: EventTime(realtimeUSec: realtimeUsec, monotonicUSec: monotonicUsec, bootID: bootId)),
                     prevHash: prevHash, hash: hash)
    }
}

/// `events`: the next events of the log, in order.
public struct EventBatchPayload: Codable, Sendable, Equatable {
    public var station: String
    public var seq: Int64
    public var kind: String
    public var createdUsec: Int64
    public var events: [ChainedEvent]

    public init(station: String, seq: Int64, createdUsec: Int64, events: [ChainedEvent]) {
        self.station = station
        self.seq = seq
        kind = "events"
        self.createdUsec = createdUsec
        self.events = events
    }
}

/// `final-report`: the counters when the polls closed (and the totals, if submitted).
public struct FinalReportPayload: Codable, Sendable, Equatable {
    public var station: String
    public var seq: Int64
    public var kind: String
    public var createdUsec: Int64
    public var scanners: [CounterSummary]
    public var contests: [ContestTotals]?

    public init(station: String, seq: Int64, createdUsec: Int64, scanners: [CounterSummary], contests: [ContestTotals]?) {
        self.station = station
        self.seq = seq
        kind = "final-report"
        self.createdUsec = createdUsec
        self.scanners = scanners
        self.contests = contests
    }
}
