import Foundation
import Synchronization
import NazoratCore
import NazoratStore

/// Makes the state directory of a station whose uplink was cut for `hours`: the outbox holds
/// a heartbeat every `interval` seconds and envelopes for `events` events spread over the
/// outage, exactly as nazoratd would have left it. It uses the daemon's own event log and
/// outbox (NazoratStore), so central verifies every signature and every hash of it.
///
/// Generated instead of waited for: nazoratd's shortest heartbeat interval is 1 s, so a real
/// 24-hour backlog would take hours to make. Timestamps run from `hours` ago to now.
///
///     nazorat-backlog STATE_DIR STATION [HOURS] [INTERVAL] [EVENTS]
/// prints the station's public key and the outbox's last seq as one JSON object.
///
///     nazorat-backlog --year STATE_DIR STATION EVENTS
/// makes instead a station that recorded EVENTS events over a year, every envelope delivered
/// (an empty outbox): the year-long log whose start and verification `make bench` measures.
@main
enum Backlog {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.count == 5, arguments[1] == "--year", let events = Int(arguments[4]) {
            let report = try await year(directory: arguments[2], station: arguments[3], eventCount: events)
            print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        guard arguments.count >= 3 else {
            FileHandle.standardError.write(Data(("usage: nazorat-backlog STATE_DIR STATION [HOURS] [INTERVAL] [EVENTS]\n"
                + "       nazorat-backlog --year STATE_DIR STATION EVENTS\n").utf8))
            exit(64)
        }
        let directory = arguments[1], station = arguments[2]
        let hours = arguments.count > 3 ? Int(arguments[3]) ?? 24 : 24
        let interval = arguments.count > 4 ? Int(arguments[4]) ?? 15 : 15
        let eventCount = arguments.count > 5 ? Int(arguments[5]) ?? 10_000 : 10_000
        let report = try await generate(directory: directory, station: station, hours: hours, interval: interval,
                                        eventCount: eventCount)
        print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
    }

    /// Makes the backlog; returns what it made. Off the main actor, like the daemon's outbox service.
    nonisolated static func generate(directory: String, station: String, hours: Int, interval: Int,
                                     eventCount: Int) async throws -> [String: any Sendable] {
        let ticks = hours * 3600 / interval
        let clock = OutageClock(start: Int64(Date().timeIntervalSince1970 * 1e6) - Int64(hours) * 3_600_000_000)

        let opened = try StateDirectory.open(directory: directory, station: station, now: clock.now())
        let log = try EventLog(store: opened.store, signer: opened.signer, queueLimit: 100_000,
                               clock: clock.now, onStorageChange: { _ in }, onCommitted: { _ in })
        let outbox = Outbox(store: opened.store, signer: opened.signer, bound: 64 << 20, onAdded: {})
        var recorded = 0
        for tick in 0..<ticks {
            clock.advance(to: tick, interval: interval)
            let due = (tick + 1) * eventCount / ticks
            if due > recorded {
                let drafts = (recorded..<due).map { draft(index: $0, time: clock.now()) }
                guard await log.record(StoreBatch(drafts: drafts)) else { throw BacklogError.notOnDisk }
                recorded = due
            }
            let time = clock.now()
            let head = await log.currentHead
            let heartbeat = HeartbeatPayload(
                station: station, seq: 0, createdUsec: time.realtimeUSec, phase: "open", mode: "enforce",
                uptimeSeconds: Double(tick * interval), bootId: time.bootID, version: "backlog",
                devices: DeviceCounts(present: 9, sealed: 9, missing: 0, blocked: 0), alarms: [],
                counters: [CounterSummary(port: "1-1.1", public: Int64(tick), protective: 1000 + Int64(tick))],
                log: head.map { LogHead(seq: $0.seq, hash: $0.hash) },
                realtimeUsec: time.realtimeUSec, monotonicUsec: time.monotonicUSec)
            try await outbox.add(kind: "heartbeat", createdUsec: time.realtimeUSec) { seq in
                var payload = heartbeat
                payload.seq = seq
                return payload
            }
            try await outbox.addEventBatches(createdUsec: time.realtimeUSec, limit: 20)
            _ = try await outbox.thin()
        }
        let summary = try await outbox.summary()
        return ["public_key": opened.signer.publicKeyText, "last_seq": summary.lastSeq ?? 0,
                                     "envelopes": summary.envelopes, "bytes": summary.bytes, "events": recorded,
                                     "heartbeats": ticks]
    }

    /// `eventCount` events spread over 365 days, written through the daemon's event log in
    /// commits of 1,000 (so with its signed checkpoint every 1,000 events).
    nonisolated static func year(directory: String, station: String, eventCount: Int) async throws -> [String: any Sendable] {
        let days = 365, interval = days * 86_400 / max(eventCount / 1000, 1)
        let clock = OutageClock(start: Int64(Date().timeIntervalSince1970 * 1e6) - Int64(days) * 86_400_000_000)
        let opened = try StateDirectory.open(directory: directory, station: station, now: clock.now())
        let log = try EventLog(store: opened.store, signer: opened.signer, queueLimit: 100_000,
                               clock: clock.now, onStorageChange: { _ in }, onCommitted: { _ in })
        for start in stride(from: 0, to: eventCount, by: 1000) {
            clock.advance(to: start / 1000, interval: interval)
            let drafts = (start..<min(start + 1000, eventCount)).map { draft(index: $0, time: clock.now()) }
            guard await log.record(StoreBatch(drafts: drafts)) else { throw BacklogError.notOnDisk }
        }
        return ["public_key": opened.signer.publicKeyText, "events": eventCount]
    }

    /// A device event like the ones a busy station records (plugs of a technician's stick).
    static func draft(index: Int, time: EventTime) -> EventDraft {
        let port = "1-\(index % 8 + 1)"
        return EventDraft(type: index % 2 == 0 ? .deviceAdded : .deviceRemoved, severity: .notice, subject: port,
                          message: "device \(index % 2 == 0 ? "added" : "removed"): \(port) 0781:5567 \"Cruzer Blade\"",
                          payload: #"{"cause":"uevent"}"#, time: time)
    }
}

enum BacklogError: Error {
    case notOnDisk
}

/// The outage's clock: realtime from `start` in steps of the heartbeat interval.
final class OutageClock: Sendable {
    private let offset = Atomic<Int64>(0)
    private let start: Int64
    private let bootID = String(repeating: "b", count: 32)

    init(start: Int64) { self.start = start }

    func advance(to tick: Int, interval: Int) {
        offset.store(Int64(tick) * Int64(interval) * 1_000_000, ordering: .relaxed)
    }

    @Sendable func now() -> EventTime {
        let offset = offset.load(ordering: .relaxed)
        return EventTime(realtimeUSec: start + offset, monotonicUSec: 1_000_000 + offset, bootID: bootID)
    }
}
