/// Every kind of alarm, by what raises it. Its stable name (`device.missing`) is what the
/// database, the journal (`NAZORAT_ALARM`), the control API and central carry.
public enum AlarmKind: Hashable, Sendable, CustomStringConvertible {
    /// The station differs from its seal (the kind's base severity is beside it, in Drift.swift).
    case drift(DriftCondition.Kind)
    /// A ballot counter report was refused (its severity is beside it, in CounterBook.swift).
    case counters(CounterBook.Anomaly)
    /// The database failed its checks at start and a new chain began: critical.
    case damagedDatabase
    /// The outbox nears its bound while central is unreachable: error.
    case outboxNearFull
    /// A kind read from a database written by a newer nazoratd: kept and shown, never raised.
    case unknown(String)

    /// The stable name.
    public var rawValue: String {
        switch self {
        case .drift(let kind): kind.rawValue
        case .counters(let anomaly): anomaly.rawValue
        case .damagedDatabase: "storage.damaged-database"
        case .outboxNearFull: "outbox.near-full"
        case .unknown(let name): name
        }
    }

    /// The kind named `rawValue` (`unknown` for a name this version does not know).
    public init(rawValue: String) {
        if let kind = DriftCondition.Kind(rawValue: rawValue) {
            self = .drift(kind)
        } else if let anomaly = CounterBook.Anomaly(rawValue: rawValue) {
            self = .counters(anomaly)
        } else {
            self = switch rawValue {
            case Self.damagedDatabase.rawValue: .damagedDatabase
            case Self.outboxNearFull.rawValue: .outboxNearFull
            default: .unknown(rawValue)
            }
        }
    }

    public var description: String { rawValue }
}

extension AlarmKind: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
