import NazoratCore
import NazoratStore
import Synchronization

/// The open alarms with their ids, read from the database again only when the event log has
/// moved on: every alarm change is recorded with an event in the same transaction, so an
/// unchanged head means unchanged alarms. `GET /v1/status` is the API's most frequent request,
/// and a database read was most of its cost (a read transaction and a statement each time).
final class OpenAlarmCache: Sendable {
    /// An open alarm and its id.
    typealias Record = (id: Int64, alarm: Alarm)

    private let store: StateStore
    private let cached = Mutex<(head: Int64, records: [Record])?>(nil)

    init(store: StateStore) {
        self.store = store
    }

    /// The open alarms, oldest first, as of the log head `head` (read before calling).
    func records(head: Int64) throws(StoreError) -> [Record] {
        if let hit = cached.withLock({ $0?.head == head ? $0?.records : nil }) { return hit }
        let records = try store.openAlarmRecords()
        cached.withLock { $0 = (head, records) }
        return records
    }
}
