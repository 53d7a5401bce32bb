import NazoratCore
import NazoratSigning

/// Appends events to the tamper-evident log, durably, and survives storage faults.
///
/// ``record(_:)`` chains the drafts after the current head and commits them with their
/// device-table changes in one transaction; `onCommitted` hears of every event once it is
/// on disk, in seq order, and nothing may report an event as done before that. When a
/// write fails (disk full, read-only, I/O error) the drafts wait in a bounded in-memory
/// queue, in order, and a retry with backoff writes them when the disk returns; seq stays
/// gap-free because seq is assigned at write time. If the queue overflowed, the first
/// event written after the outage says how many events were lost, of which types, and
/// when. A checkpoint signed by the station key is written every 1,000 events.
public actor EventLog {
    /// What the log tells its owner about storage.
    public enum StorageState: Sendable, Equatable {
        /// Writes work.
        case healthy
        /// Writes fail; `queued` drafts wait, `lost` were dropped so far.
        case failing(reason: String, queued: Int, lost: Int)
    }

    /// The store written to.
    public nonisolated let store: StateStore
    private let signer: StationSigner
    private let queueLimit: Int
    private let clock: @Sendable () -> EventTime
    private let onStorageChange: @Sendable (StorageState) -> Void
    private let onCommitted: @Sendable ([Event]) -> Void
    private var head: (seq: Int64, hash: String)?
    private var pending: [StoreBatch] = []
    private var pendingDrafts = 0
    private var lost = LostEvents()
    private var failure: String?
    private var retry: Task<Void, Never>?
    private var backoff: Duration = .milliseconds(100)

    /// A log writing to `store`, signing checkpoints with `signer`, queueing at most
    /// `queueLimit` drafts during an outage.
    public init(store: StateStore, signer: StationSigner, queueLimit: Int,
                clock: @escaping @Sendable () -> EventTime,
                onStorageChange: @escaping @Sendable (StorageState) -> Void,
                onCommitted: @escaping @Sendable ([Event]) -> Void) throws(StoreError) {
        self.store = store
        self.signer = signer
        self.queueLimit = queueLimit
        self.clock = clock
        self.onStorageChange = onStorageChange
        self.onCommitted = onCommitted
        self.head = try store.head()
    }

    /// The last committed seq and hash.
    public var currentHead: (seq: Int64, hash: String)? { head }

    /// Records `record`'s drafts and device changes: written now, with any that waited
    /// before them, or queued while storage is failing. Returns whether it is on disk (a
    /// caller that acknowledges something to a client must not do so otherwise).
    @discardableResult
    public func record(_ record: StoreBatch) -> Bool {
        // While failing, first try to write what waits: the disk may be back, and then
        // this record need not count against the queue.
        if failure != nil { flush() }
        enqueue(record)
        flush()
        return failure == nil
    }

    /// Returns once the log is free to write: the watchdog's liveness probe. Writes run on
    /// this actor, so a write stuck in the file system keeps it from answering. (A write that
    /// fails is not a wedge: that is the storage alarm, and a restart would not help.)
    public func answer() {}

    /// Signs the current head, if no checkpoint covers it yet (at a clean stop).
    public func checkpointHead() -> Checkpoint? {
        guard failure == nil, let head, (try? store.lastCheckpointSeq()) != head.seq else { return nil }
        let checkpoint = signer.checkpoint(seq: head.seq, hash: head.hash)
        do {
            try store.append(events: [], checkpoints: [checkpoint])
            return checkpoint
        } catch {
            return nil
        }
    }

    private func enqueue(_ record: StoreBatch) {
        guard pendingDrafts + record.drafts.count <= queueLimit || failure == nil else {
            lost.add(record.drafts)
            // History may be lost to a full queue; state never is, or the tables would lie.
            pending.append(record.stateOnly)
            notify()
            return
        }
        pending.append(record)
        pendingDrafts += record.drafts.count
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        var records = pending
        if failure != nil {
            records.append(StoreBatch(drafts: recoveryDrafts()))
        }
        let (batch, newHead) = chain(records)
        do {
            try store.append(events: batch.events, checkpoints: batch.checkpoints, tables: batch.tables)
        } catch {
            fail(error.description)
            return
        }
        head = newHead
        pending.removeAll()
        pendingDrafts = 0
        if failure != nil {
            failure = nil
            lost = LostEvents()
            backoff = .milliseconds(100)
            retry?.cancel()
            retry = nil
            onStorageChange(.healthy)
        }
        onCommitted(batch.events)
    }

    /// What the first write after an outage adds: the recovery, and what was lost.
    private func recoveryDrafts() -> [EventDraft] {
        let reason = failure ?? ""
        var drafts = [EventDraft(type: .storageRecovered, severity: .notice, subject: "state",
                                 message: "storage recovered after: \(reason)",
                                 payload: JSONText.encode(["failure": reason]), time: clock())]
        if lost.count > 0 {
            drafts.append(EventDraft(type: .eventsLost, severity: .error, subject: "state",
                                     message: "\(lost.count) events were lost while storage was failing",
                                     payload: lost.payload, time: clock()))
        }
        return drafts
    }

    private func chain(_ records: [StoreBatch]) -> (Chained, (seq: Int64, hash: String)?) {
        var batch = Chained()
        var head = self.head
        for record in records {
            for draft in record.drafts {
                let event = HashChain.append(draft, after: head, station: signer.station)
                head = (event.seq, event.hash)
                batch.events.append(event)
                if event.seq % Checkpoint.interval == 0 {
                    batch.checkpoints.append(signer.checkpoint(seq: event.seq, hash: event.hash))
                }
            }
            batch.tables.merge(record.tables)
        }
        return (batch, head)
    }

    /// Records chained into one transaction.
    private struct Chained {
        var events: [Event] = []
        var checkpoints: [Checkpoint] = []
        var tables = TableChanges()
    }

    private func fail(_ reason: String) {
        failure = reason
        notify()
        guard retry == nil else { return }
        let delay = backoff
        backoff = min(backoff * 2, .seconds(5))
        retry = Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.retryNow()
        }
    }

    private func retryNow() {
        retry = nil
        flush()
    }

    private func notify() {
        if let failure { onStorageChange(.failing(reason: failure, queued: pendingDrafts, lost: lost.count)) }
    }
}

/// The drafts dropped because the outage queue was full: how many, which types, when.
struct LostEvents {
    private(set) var count = 0
    private var types: [String: Int] = [:]
    private var first: EventTime?
    private var last: EventTime?

    mutating func add(_ drafts: [EventDraft]) {
        for draft in drafts {
            count += 1
            types[draft.type, default: 0] += 1
            if first == nil { first = draft.time }
            last = draft.time
        }
    }

    private struct Payload: Encodable {
        var count: Int
        var firstRealtimeUSec: Int64?
        var lastRealtimeUSec: Int64?
        var types: [String: Int]
    }

    var payload: String {
        JSONText.encode(Payload(count: count, firstRealtimeUSec: first?.realtimeUSec,
                                lastRealtimeUSec: last?.realtimeUSec, types: types))
    }
}
