/// An alarm: a condition that a technician must see, from raise to clear.
public struct Alarm: Sendable, Equatable, Codable {
    /// Where an alarm is in its life.
    public enum State: String, Sendable, Codable {
        /// The condition holds and nobody acknowledged it yet.
        case raised
        /// Someone acknowledged it; the condition still holds.
        case acknowledged
        /// The condition ended.
        case cleared
    }

    /// What raised it.
    public var kind: AlarmKind
    /// How serious, as raised.
    public var severity: Severity
    /// What it concerns (a port, `state`).
    public var subject: String
    /// What a technician reads.
    public var detail: String
    /// Its state.
    public var state: State
    /// Who acknowledged it (`uid 1000 (technician)`), if anyone.
    public var acknowledgedBy: String?
    /// Their note.
    public var note: String?

    /// A newly raised alarm.
    public init(kind: AlarmKind, severity: Severity, subject: String, detail: String) {
        self.kind = kind
        self.severity = severity
        self.subject = subject
        self.detail = detail
        self.state = .raised
    }
}

/// A change to the alarm table, recorded with the event that reports it.
public enum AlarmChange: Sendable, Equatable {
    /// A new alarm.
    case raise(Alarm)
    /// The condition of the open alarm `kind`/`subject` ended.
    case clear(kind: AlarmKind, subject: String)
    /// Someone acknowledged the open alarm `kind`/`subject`.
    case acknowledge(kind: AlarmKind, subject: String, by: String, note: String)
    /// The open alarm `kind`/`subject` has another severity now (the polls phase changed).
    case regrade(kind: AlarmKind, subject: String, severity: Severity)
}

/// The open drift alarms, kept in step with the drift conditions that hold.
public struct AlarmBook: Sendable {
    /// Open alarms by kind and subject.
    public private(set) var open: [String: Alarm] = [:]

    /// The book of `alarms` (the open ones, as loaded at start).
    public init(_ alarms: [Alarm]) {
        for alarm in alarms where alarm.state != .cleared { open[Self.key(alarm.kind, alarm.subject)] = alarm }
    }

    static func key(_ kind: AlarmKind, _ subject: String) -> String { kind.rawValue + "\u{0}" + subject }

    /// Raises what newly holds and clears what no longer does (drift kinds only), with the
    /// events that record each change.
    public mutating func reconcile(_ conditions: Set<DriftCondition>, phase: PollsPhase,
                                   time: EventTime) -> (changes: [AlarmChange], drafts: [EventDraft]) {
        var changes: [AlarmChange] = []
        var drafts: [EventDraft] = []
        let holding = Set(conditions.map { Self.key(.drift($0.kind), $0.port) })
        for (key, alarm) in open.sorted(by: { $0.key < $1.key }) where !holding.contains(key) {
            guard case .drift = alarm.kind else { continue }
            open[key] = nil
            changes.append(.clear(kind: alarm.kind, subject: alarm.subject))
            drafts.append(Self.clearedDraft(kind: alarm.kind, subject: alarm.subject, time: time))
        }
        for condition in conditions.sorted(by: { ($0.port, $0.kind.rawValue) < ($1.port, $1.kind.rawValue) }) {
            let key = Self.key(.drift(condition.kind), condition.port)
            guard open[key] == nil else { continue }
            let alarm = Alarm(kind: .drift(condition.kind), severity: condition.kind.severity(in: phase),
                              subject: condition.port, detail: condition.detail)
            open[key] = alarm
            changes.append(.raise(alarm))
            drafts.append(Self.raisedDraft(alarm, phase: phase, time: time))
        }
        return (changes, drafts)
    }

    /// Raises `alarm` unless one of its kind and subject is open already (then nil).
    public mutating func raise(_ alarm: Alarm, phase: PollsPhase, time: EventTime) -> (AlarmChange, EventDraft)? {
        let key = Self.key(alarm.kind, alarm.subject)
        guard open[key] == nil else { return nil }
        open[key] = alarm
        return (.raise(alarm), Self.raisedDraft(alarm, phase: phase, time: time))
    }

    /// Clears the open alarm `kind`/`subject` (a condition outside the drift checks that
    /// ended); nil when none is open.
    public mutating func clear(kind: AlarmKind, subject: String, time: EventTime) -> (AlarmChange, EventDraft)? {
        guard open.removeValue(forKey: Self.key(kind, subject)) != nil else { return nil }
        return (.clear(kind: kind, subject: subject), Self.clearedDraft(kind: kind, subject: subject, time: time))
    }

    /// The `alarm.cleared` event of the alarm `kind`/`subject`.
    private static func clearedDraft(kind: AlarmKind, subject: String, time: EventTime) -> EventDraft {
        EventDraft(type: .alarmCleared, severity: .notice, subject: subject, message: "alarm cleared: \(kind) at \(subject)",
                   payload: JSONText.encode(["kind": kind.rawValue, "subject": subject]), time: time)
    }

    /// Gives every open drift alarm the severity of its kind in `phase` (alarms rise while
    /// the polls are open and fall back after they close), with an event per change.
    public mutating func regrade(for phase: PollsPhase, time: EventTime) -> (changes: [AlarmChange], drafts: [EventDraft]) {
        var changes: [AlarmChange] = []
        var drafts: [EventDraft] = []
        for (key, alarm) in open.sorted(by: { $0.key < $1.key }) {
            guard case .drift(let kind) = alarm.kind else { continue }
            let severity = kind.severity(in: phase)
            guard severity != alarm.severity else { continue }
            open[key]?.severity = severity
            changes.append(.regrade(kind: alarm.kind, subject: alarm.subject, severity: severity))
            drafts.append(EventDraft(
                type: .alarmRegraded, severity: severity, subject: alarm.subject,
                message: "alarm \(alarm.kind) at \(alarm.subject) is now \(severity.rawValue) (polls \(phase.rawValue))",
                payload: JSONText.encode(["kind": alarm.kind.rawValue, "subject": alarm.subject, "severity": severity.rawValue,
                                          "phase": phase.rawValue]),
                time: time))
        }
        return (changes, drafts)
    }

    /// Acknowledges an open alarm; nil when there is none of that kind and subject.
    public mutating func acknowledge(kind: AlarmKind, subject: String, by: String, note: String,
                                     time: EventTime) -> (AlarmChange, EventDraft)? {
        let key = Self.key(kind, subject)
        guard var alarm = open[key] else { return nil }
        alarm.state = .acknowledged
        alarm.acknowledgedBy = by
        alarm.note = note
        open[key] = alarm
        return (.acknowledge(kind: kind, subject: subject, by: by, note: note),
                EventDraft(type: .alarmAcknowledged, severity: .notice, subject: subject,
                           message: "alarm acknowledged: \(kind) at \(subject) by \(by): \(DeviceString(note).escaped(limit: 200))",
                           payload: JSONText.encode(["kind": kind.rawValue, "subject": subject, "by": by, "note": note]), time: time))
    }

    static func raisedDraft(_ alarm: Alarm, phase: PollsPhase, time: EventTime) -> EventDraft {
        EventDraft(type: .alarmRaised, severity: alarm.severity, subject: alarm.subject,
                   message: "alarm: \(alarm.kind) at \(alarm.subject): \(alarm.detail) (polls \(phase.rawValue))",
                   payload: JSONText.encode(["kind": alarm.kind.rawValue, "subject": alarm.subject, "detail": alarm.detail,
                                             "severity": alarm.severity.rawValue, "phase": phase.rawValue]),
                   time: time)
    }
}
