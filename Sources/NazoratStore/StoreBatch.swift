import NazoratCore

/// One change to the station's record, as the daemon makes it: history (events, chained
/// when written) and state (the tables that say what is true now).
///
/// The event log may have to drop history during a long storage outage; it never drops
/// state. Keeping the two apart in the type is what makes that rule hold: ``stateOnly``
/// keeps every table change, whatever fields ``TableChanges`` grows.
public struct StoreBatch: Sendable {
    /// The events to append, not yet chained.
    public var drafts: [EventDraft]
    /// What the tables become.
    public var tables: TableChanges

    /// A change of `drafts` and `tables`.
    public init(drafts: [EventDraft] = [], tables: TableChanges = TableChanges()) {
        self.drafts = drafts
        self.tables = tables
    }

    /// A change of `drafts` with the table changes given by name (the common one-line case).
    public init(drafts: [EventDraft], devicesPresent: [USBDevice] = [], devicesGone: [String] = [],
                alarmChanges: [AlarmChange] = [], inventory: Inventory? = nil, metadata: [MetadataKey: String] = [:]) {
        self.init(drafts: drafts, tables: TableChanges(devicesPresent: devicesPresent, devicesGone: devicesGone,
                                                       alarmChanges: alarmChanges, inventory: inventory,
                                                       metadata: metadata))
    }

    /// This change without its history: what an overflowing outage queue keeps.
    public var stateOnly: StoreBatch { StoreBatch(drafts: [], tables: tables) }
}

/// What one change sets in the station's tables.
public struct TableChanges: Sendable {
    /// Devices now present (inserted or updated).
    public var devicesPresent: [USBDevice] = []
    /// Syspaths of devices now gone.
    public var devicesGone: [String] = []
    /// Alarms raised, acknowledged, regraded or cleared, in order.
    public var alarmChanges: [AlarmChange] = []
    /// A new seal of the inventory.
    public var inventory: Inventory?
    /// Metadata set (e.g. `polls-phase`).
    public var metadata: [MetadataKey: String] = [:]
    /// Scanner counters now current, by port.
    public var counters: [String: ScannerRecord] = [:]
    /// Refused counter reports, kept as evidence.
    public var evidence: [CounterEvidence] = []
    /// Per-contest totals submitted (JSON).
    public var results: String?

    /// Table changes given by name; none by default.
    public init(devicesPresent: [USBDevice] = [], devicesGone: [String] = [], alarmChanges: [AlarmChange] = [],
                inventory: Inventory? = nil, metadata: [MetadataKey: String] = [:]) {
        self.devicesPresent = devicesPresent
        self.devicesGone = devicesGone
        self.alarmChanges = alarmChanges
        self.inventory = inventory
        self.metadata = metadata
    }

    /// Folds a later change into this one, so that one transaction writes what the two in order would.
    public mutating func merge(_ later: TableChanges) {
        devicesPresent.removeAll { device in later.devicesGone.contains(device.syspath) }
        devicesGone.removeAll { syspath in later.devicesPresent.contains { $0.syspath == syspath } }
        devicesPresent += later.devicesPresent
        devicesGone += later.devicesGone
        alarmChanges += later.alarmChanges
        inventory = later.inventory ?? inventory
        metadata.merge(later.metadata) { _, new in new }
        counters.merge(later.counters) { _, new in new }
        evidence += later.evidence
        results = later.results ?? results
    }
}

/// A refused counter report, kept as evidence.
public struct CounterEvidence: Sendable, Equatable, Codable {
    /// The port reported for.
    public var port: String
    /// The values reported.
    public var counters: ScannerCounters
    /// The anomaly's kind.
    public var anomaly: String

    /// Evidence of `counters` reported for `port`, refused as `anomaly`.
    public init(port: String, counters: ScannerCounters, anomaly: String) {
        self.port = port
        self.counters = counters
        self.anomaly = anomaly
    }
}
