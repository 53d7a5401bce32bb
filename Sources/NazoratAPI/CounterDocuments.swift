import NazoratCore

/// `GET /v1/counters`.
public struct CountersDocument: Codable, Sendable, Equatable {
    /// `setup`, `open` or `closed`.
    public var phase: String
    public var scanners: [CounterSummary]

    public init(phase: String, scanners: [CounterSummary]) {
        self.phase = phase
        self.scanners = scanners
    }
}

/// `PUT /v1/scanners/{port}/counters`'s body: the scanner's cumulative counters.
public struct CounterReport: Codable, Sendable, Equatable {
    public var `public`: Int64
    public var protective: Int64

    public init(public publicCount: Int64, protective: Int64) {
        self.public = publicCount
        self.protective = protective
    }
}

/// The answer to an accepted counter report.
public struct CounterReportAnswer: Codable, Sendable, Equatable {
    /// Always true (a refused report gets an error).
    public var accepted: Bool
    /// False when the report repeated the current values.
    public var changed: Bool

    public init(accepted: Bool, changed: Bool) {
        self.accepted = accepted
        self.changed = changed
    }
}

/// `GET /v1/polls` and the answer to opening or closing them.
public struct PollsDocument: Codable, Sendable, Equatable {
    public var phase: String

    public init(phase: String) {
        self.phase = phase
    }
}

/// `POST /v1/results`'s body.
public struct ResultsSubmission: Codable, Sendable, Equatable {
    public var contests: [ContestTotals]

    public init(contests: [ContestTotals]) {
        self.contests = contests
    }
}

/// `GET /v1/results`: the final report, after the polls closed.
public struct FinalReportDocument: Codable, Sendable, Equatable {
    public var station: String
    public var phase: String
    /// Each scanner's final public and protective counters.
    public var scanners: [CounterSummary]
    /// The per-contest totals, when the scanner software submitted them.
    public var contests: [ContestTotals]?

    public init(station: String, phase: String, scanners: [CounterSummary], contests: [ContestTotals]?) {
        self.station = station
        self.phase = phase
        self.scanners = scanners
        self.contests = contests
    }
}

/// `POST /v1/polls/open`'s body (optional): `{"force": {"reason": "..."}}` opens although the
/// readiness check finds problems (nazorat-admin).
public struct PollsOpenRequest: Codable, Sendable, Equatable {
    /// Why the polls open by force, for the minutes.
    public struct Force: Codable, Sendable, Equatable {
        public var reason: String

        public init(reason: String) {
            self.reason = reason
        }
    }

    public var force: Force?

    public init(force: Force? = nil) {
        self.force = force
    }

    /// The longest reason, in Unicode scalars (JSON Schema's maxLength counts the same).
    public static let reasonLimit = 500

    /// Whether `reason` says something: a character other than space, tab, CR and LF (the
    /// schema's pattern, read alike by every regex engine).
    public static func isStated(_ reason: String) -> Bool {
        reason.unicodeScalars.contains { !" \t\r\n".unicodeScalars.contains($0) }
    }
}
