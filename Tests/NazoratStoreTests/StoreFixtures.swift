import Foundation
import GRDB
import NazoratCore
import NazoratStore
import NazoratTestbed
import Testing

/// A test clock: strictly increasing times.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var tick: Int64 = 0

    func now() -> EventTime {
        lock.withLock {
            tick += 1
            return EventTime(realtimeUSec: 1_800_000_000_000_000 + tick, monotonicUSec: tick,
                             bootID: "0123456789abcdef0123456789abcdef")
        }
    }
}

/// Collects what an ``EventLog`` reports, in the order it reports it.
final class LogObserver: @unchecked Sendable {
    private let lock = NSLock()
    private var _committed: [Event] = []
    private var _states: [EventLog.StorageState] = []
    var committed: [Event] { lock.withLock { _committed } }
    var states: [EventLog.StorageState] { lock.withLock { _states } }
    func commit(_ events: [Event]) { lock.withLock { _committed += events } }
    func storage(_ state: EventLog.StorageState) { lock.withLock { _states.append(state) } }
}

func draft(_ n: Int, clock: TestClock, type: EventType = .deviceAdded) -> EventDraft {
    EventDraft(type: type, severity: .notice, subject: "1-\(n)", message: "event \(n)", payload: #"{"n":\#(n)}"#,
               time: clock.now())
}

func openLog(_ directory: String, station: String = "TSH-1", queueLimit: Int = 100, clock: TestClock,
             observer: LogObserver) throws -> (EventLog, StateDirectory.Opened) {
    let opened = try StateDirectory.open(directory: directory, station: station, now: clock.now())
    let log = try EventLog(store: opened.store, signer: opened.signer, queueLimit: queueLimit,
                           clock: clock.now,
                           onStorageChange: { observer.storage($0) },
                           onCommitted: { observer.commit($0) })
    return (log, opened)
}

/// Changes a database behind the daemon's back, as an attacker with file access would.
enum Tamper {
    static func sql(_ path: String, _ statements: String) throws {
        try GRDB.DatabaseQueue(path: path).write { try $0.execute(sql: statements) }
    }
}
