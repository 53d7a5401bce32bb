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

/// `POST /v1/polls/open`'s body (optional): forcing an opening the readiness check refuses.
public struct PollsOpenRequest: Codable, Sendable, Equatable {
    /// Open despite the problems (nazorat-admin).
    public var force: Bool?
    /// Why, for the minutes: required with `force`.
    public var reason: String?

    public init(force: Bool? = nil, reason: String? = nil) {
        self.force = force
        self.reason = reason
    }
}
