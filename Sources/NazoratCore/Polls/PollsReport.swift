/// What the station attests when the polls change phase: the zero report when they open
/// (the readiness the commission signs before the first voter) and the closing report when
/// they close. Each is recorded as an event (its payload is this document), signed for
/// central as an envelope of its own kind, and printed by `nazoratctl report` on the
/// receipt printer (``PollsReceipt``).
public struct PollsReport: Codable, Sendable, Equatable {
    /// Which report.
    public enum Occasion: String, Codable, Sendable, CaseIterable {
        /// Made when the polls open.
        case zero
        /// Made when the polls close.
        case closing

        /// The event that records it.
        public var eventType: EventType { self == .zero ? .pollsZeroReport : .pollsClosingReport }
        /// The kind of the envelope that carries it to central.
        public var envelopeKind: String { "\(rawValue)-report" }
        /// The occasion an envelope kind carries, if it is a report's.
        public init?(envelopeKind: String) {
            guard let occasion = Self.allCases.first(where: { $0.envelopeKind == envelopeKind }) else { return nil }
            self = occasion
        }
    }

    /// One sealed device, and whether it is there with its sealed identity.
    public struct SealedDevice: Codable, Sendable, Equatable {
        public var port: String
        public var role: Role
        /// `vvvv:pppp`.
        public var id: String
        public var serial: DeviceString?
        public var present: Bool
    }

    /// One ballot scanner's counters. `ballots` (closing only) is the protective counter's
    /// rise since the polls opened: the sheets the scanner took while they were open.
    public struct ScannerCount: Codable, Sendable, Equatable {
        public var port: String
        public var `public`: Int64?
        public var protective: Int64?
        public var protectiveAtOpen: Int64?
        public var ballots: Int64?
    }

    /// The event log as the report found it: its head and what walking the whole chain said.
    public struct LogState: Codable, Sendable, Equatable {
        public var head: LogHead?
        /// Whether every event and checkpoint verified (the daemon's `verify-log`).
        public var intact: Bool
        /// The events the walk verified.
        public var verifiedEvents: Int64
        /// The first problem, when not intact.
        public var problem: String?

        public init(head: LogHead?, intact: Bool, verifiedEvents: Int64, problem: String?) {
            self.head = head
            self.intact = intact
            self.verifiedEvents = verifiedEvents
            self.problem = problem
        }
    }

    /// Who opened the polls despite the problems, and why (escaped: a person typed it).
    public struct Force: Codable, Sendable, Equatable {
        public var by: String
        public var reason: String

        public init(by: String, reason: String) {
            self.by = by
            self.reason = reason
        }
    }

    public var occasion: Occasion
    public var station: String
    /// When it was made: wall clock, µs since the epoch.
    public var realtimeUsec: Int64
    /// nazoratd's version.
    public var version: String
    /// The station key's id (``Envelope/keyID(of:)``): the key central checks the report with.
    public var keyId: String
    /// Who opened or closed the polls (a preview: who asked).
    public var by: String
    /// A zero report shown before the polls open: what opening now would attest; not recorded.
    public var preview: Bool
    public var devices: [SealedDevice]
    public var scanners: [ScannerCount]
    public var log: LogState
    /// The station's clock against central's, when the uplink has measured it.
    public var clock: CentralClock?
    /// What is not as it should be; ``ReadinessProblem/blocksOpening`` says which refuse an opening.
    public var problems: [ReadinessProblem]
    public var force: Force?

    /// No problem that refuses an opening.
    public var isReady: Bool { !problems.contains(where: \.blocksOpening) }
}

/// Something a report found not as it should be.
public struct ReadinessProblem: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A ballot scanner's public counter is not 0 before opening.
        case publicNotZero = "public-not-zero"
        /// A sealed ballot scanner is not connected with its sealed identity.
        case scannerMissing = "scanner-missing"
        /// The event log does not verify.
        case logBroken = "log-broken"
        /// A sealed ballot scanner's software has not reported its counters.
        case countersNotReported = "counters-not-reported"
        /// A sealed device other than a scanner is not connected.
        case deviceMissing = "device-missing"
        /// The station has no sealed inventory.
        case notSealed = "not-sealed"
    }

    public var kind: Kind
    /// The port, or `log` / `station`.
    public var subject: String
    /// The sentence a person reads.
    public var detail: String

    public init(kind: Kind, subject: String, detail: String) {
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }

    /// Whether the polls may open only by force with it: a scanner that would count from a
    /// non-zero start or whose count nobody has seen, a scanner that is not there, a log that
    /// does not verify. The others are on the report for the commission to see.
    public var blocksOpening: Bool {
        switch kind {
        case .publicNotZero, .scannerMissing, .logBroken, .countersNotReported: true
        case .deviceMissing, .notSealed: false
        }
    }
}
