/// One ballot scanner's counters, as its software reports them (cumulative values).
public struct ScannerCounters: Sendable, Equatable, Codable {
    /// Ballots scanned in this election: reset to 0 when the polls open.
    public var publicCount: Int64
    /// Ballots scanned in the scanner's life: never decreases.
    public var protectiveCount: Int64

    /// Counters with these values.
    public init(publicCount: Int64, protectiveCount: Int64) {
        self.publicCount = publicCount
        self.protectiveCount = protectiveCount
    }

    private enum CodingKeys: String, CodingKey {
        case publicCount = "public"
        case protectiveCount = "protective"
    }
}

/// What the daemon keeps per scanner port: the last good counters and, once the polls
/// opened, the protective counter at the opening.
public struct ScannerRecord: Sendable, Equatable, Codable {
    /// The last accepted counters (nil before the first report).
    public var current: ScannerCounters?
    /// The protective counter when the polls opened (nil before).
    public var protectiveAtOpen: Int64?

    /// A record.
    public init(current: ScannerCounters?, protectiveAtOpen: Int64?) {
        self.current = current
        self.protectiveAtOpen = protectiveAtOpen
    }
}
