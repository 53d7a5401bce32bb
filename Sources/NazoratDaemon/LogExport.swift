import NazoratCore
import NazoratStore

/// The event log as a CDF `ElectionEventLog` document (``CDFEventLog``), produced in chunks
/// and read a page of events at a time, so that memory does not grow with the log:
/// `nazoratctl export-log` through the control API, `nazoratd export-log --db` offline.
///
/// The export ends at the head the log had when it began; what is committed meanwhile
/// belongs to the next export (`--after` the last Sequence exported).
public struct LogExport: Sendable {
    /// Events per database read.
    static let pageSize = 500

    private let store: StateStore
    private var document: CDFEventLog
    private var last: Int64
    /// The head when the export began.
    public let end: Int64
    private var stage = Stage.opening

    private enum Stage { case opening, events, closing, done }

    /// An export of the events of `store` after `after`, generated at `now` (µs since the epoch).
    public init(store: StateStore, after: Int64, now: Int64) throws(StoreError) {
        guard let station = try store.metadata(.station) else {
            throw .corrupt(path: store.path, reason: "no station recorded: not a Nazorat database")
        }
        self.store = store
        document = CDFEventLog(station: .init(id: station, softwareVersion: Daemon.version), generatedMicroseconds: now)
        last = after
        end = try store.head()?.seq ?? 0
    }

    /// The seq of the last event written so far.
    public var exportedThrough: Int64 { last }
    /// How many events were written so far.
    public private(set) var exported = 0

    /// The next chunk of the document, or nil once it is complete.
    public mutating func next() throws(StoreError) -> [UInt8]? {
        switch stage {
        case .opening:
            stage = .events
            return document.opening()
        case .events:
            let page = last < end ? try store.events(after: last, limit: Self.pageSize).filter { $0.seq <= end } : []
            guard !page.isEmpty else {
                stage = .closing
                return try next()
            }
            var chunk: [UInt8] = []
            for event in page { chunk += document.event(event) }
            last = page[page.count - 1].seq
            exported += page.count
            return chunk
        case .closing:
            stage = .done
            return CDFEventLog.closing
        case .done:
            return nil
        }
    }
}
