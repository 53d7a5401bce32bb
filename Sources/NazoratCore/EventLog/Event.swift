/// How serious an event is; the names follow syslog so that the journal can carry them.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    /// Routine observation.
    case info
    /// Worth a technician's attention.
    case notice
    /// Something is wrong but supervision goes on.
    case warning
    /// A failure of supervision or evidence of tampering.
    case error
    /// The station cannot be trusted until someone acts.
    case critical

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// When something happened, on both clocks, and on which boot.
public struct EventTime: Sendable, Hashable, Codable {
    /// Wall-clock time, microseconds since the Unix epoch (CLOCK_REALTIME).
    public var realtimeUSec: Int64
    /// Microseconds since boot (CLOCK_MONOTONIC): orders events even when the wall clock jumps.
    public var monotonicUSec: Int64
    /// The kernel's boot id (`/proc/sys/kernel/random/boot_id`), 32 lower-case hex digits.
    public var bootID: String

    /// Creates a time stamp.
    public init(realtimeUSec: Int64, monotonicUSec: Int64, bootID: String) {
        self.realtimeUSec = realtimeUSec
        self.monotonicUSec = monotonicUSec
        self.bootID = bootID
    }
}

/// An event before it has a place in the chain: what happened, to what, when.
public struct EventDraft: Sendable, Hashable {
    /// The event type's stable dotted name as stored, e.g. `device.added`
    /// (``EventType``; each has a MESSAGE_ID in the journal catalog).
    public var type: String
    /// How serious it is.
    public var severity: Severity
    /// What it is about, e.g. a port (`1-3`) or `daemon`.
    public var subject: String
    /// One escaped line for people (the journal's MESSAGE), e.g. `device added: 1-3 0781:5567 ...`.
    public var message: String
    /// Details as canonical JSON (sorted keys; device strings already escaped).
    public var payload: String
    /// When it was observed (not when it was written).
    public var time: EventTime

    /// A draft of an event of `type`.
    public init(type: EventType, severity: Severity, subject: String, message: String, payload: String, time: EventTime) {
        self.init(storedType: type.rawValue, severity: severity, subject: subject, message: message, payload: payload,
                  time: time)
    }

    /// A draft as read back from a log, whose type is kept as written (a log verifies byte
    /// for byte, whichever version of nazoratd wrote it).
    public init(storedType type: String, severity: Severity, subject: String, message: String, payload: String,
                time: EventTime) {
        self.type = type
        self.severity = severity
        self.subject = subject
        self.message = message
        self.payload = payload
        self.time = time
    }
}

extension EventDraft {
    /// The type, when it is one this version knows.
    public var eventType: EventType? { EventType(rawValue: type) }
}

/// An event in the log: a draft with its sequence number and chain hashes.
public struct Event: Sendable, Hashable {
    /// Position in the log, from 1, without gaps.
    public var seq: Int64
    /// The observation.
    public var draft: EventDraft
    /// The hash of the event before (the genesis hash for seq 1), 64 lower-case hex digits.
    public var prevHash: String
    /// `SHA-256(prevHash bytes || canonical bytes)`, 64 lower-case hex digits.
    public var hash: String

    /// Creates an event record as stored.
    public init(seq: Int64, draft: EventDraft, prevHash: String, hash: String) {
        self.seq = seq
        self.draft = draft
        self.prevHash = prevHash
        self.hash = hash
    }
}
