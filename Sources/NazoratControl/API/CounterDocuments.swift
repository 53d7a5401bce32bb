/// One scanner's counters as the API shows them. While the polls are open only the ballot
/// count (`public`) is shown; the protective counter appears in setup and after close.
public struct CounterEntry: Codable, Sendable, Equatable {
    public var port: String
    public var `public`: Int64?
    public var protective: Int64?

    public init(port: String, public publicCount: Int64?, protective: Int64?) {
        self.port = port
        self.public = publicCount
        self.protective = protective
    }
}

/// `GET /v1/counters`.
public struct CountersDocument: Codable, Sendable, Equatable {
    /// `setup`, `open` or `closed`.
    public var phase: String
    public var scanners: [CounterEntry]

    public init(phase: String, scanners: [CounterEntry]) {
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

/// One contest's totals.
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
    public var scanners: [CounterEntry]
    /// The per-contest totals, when the scanner software submitted them.
    public var contests: [ContestTotals]?

    public init(station: String, phase: String, scanners: [CounterEntry], contests: [ContestTotals]?) {
        self.station = station
        self.phase = phase
        self.scanners = scanners
        self.contests = contests
    }
}
