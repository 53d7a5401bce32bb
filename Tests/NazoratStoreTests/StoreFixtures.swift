import Foundation
import NazoratCore
import NazoratStore
import GRDB
import Testing

/// A private directory, removed when the test ends.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("nazorat-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A small tmpfs, so that "disk full" is real. Mounting needs root (as in CI).
final class Tmpfs {
    let path: String

    init(kibibytes: Int) throws {
        try #require(getuid() == 0, "mounting a tmpfs needs root; `make test` runs as root in CI")
        path = FileManager.default.temporaryDirectory.appendingPathComponent("nazorat-tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kibibytes)k,mode=0700", "tmpfs", path])
    }

    /// Fills the remaining space with a file; returns its path.
    func fill() throws -> String {
        let filler = path + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let chunk = Data(count: 4096)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()
        return filler
    }

    deinit {
        try? Self.run("/bin/umount", ["-l", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(tool) \(arguments.joined(separator: " ")) failed")
    }
}

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

func draft(_ n: Int, clock: TestClock, type: String = "device.added") -> EventDraft {
    EventDraft(type: type, severity: .notice, subject: "1-\(n)", message: "event \(n)", payload: #"{"n":\#(n)}"#,
               time: clock.now())
}

func openLog(_ directory: String, station: String = "TSH-1", queueLimit: Int = 100, clock: TestClock,
             observer: LogObserver) throws -> (EventLog, StateDirectory.Opened) {
    let opened = try StateDirectory.open(directory: directory, station: station, now: clock.now())
    let log = try EventLog(store: opened.store, station: station, key: opened.key, queueLimit: queueLimit,
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
