import FoundationEssentials
import NazoratCore

/// One station's page: its state, alarms and counters (its newest heartbeat), its recent
/// heartbeats, and its event timeline, newest first. Everything the station wrote is escaped
/// here, before any page sees it (and the page sets text, never markup).
struct DashboardStation: Encodable, Sendable {
    struct Heartbeat: Encodable, Sendable {
        var seq: Int64
        var received: String
        var phase: String
        var openAlarms: Int
    }

    struct Event: Encodable, Sendable {
        var seq: Int64
        var time: String
        var type: String
        var severity: String
        var message: String
    }

    var station: StationView
    var heartbeats: [Heartbeat]
    var events: [Event]

    /// The station's newest envelopes of `kind`.
    static func envelopes(_ record: StationRecord, kind: String, limit: Int) -> SQLStatement {
        SQLStatement("""
            SELECT seq, received_usec, envelope FROM envelopes WHERE station = ? AND generation = ? AND kind = ?
            ORDER BY seq DESC LIMIT ?
            """, [.text(record.station), .integer(record.generation), .text(kind), .integer(Int64(limit))])
    }

    init(_ view: StationView, heartbeats beats: [StoredRow], events batches: [StoredRow]) throws {
        station = view.escaped
        heartbeats = beats.compactMap { stored in
            stored.payload.flatMap { try? JSONDecoder().decode(HeartbeatPayload.self, from: $0) }.map {
                Heartbeat(seq: stored.seq, received: Self.time(stored.receivedUsec), phase: DeviceString($0.phase).escaped(limit: 16),
                          openAlarms: $0.alarms.count)
            }
        }
        events = Array(batches.flatMap { stored in
            (stored.payload.flatMap { try? JSONDecoder().decode(EventBatchPayload.self, from: $0) }?.events ?? []).reversed().map {
                Event(seq: $0.seq, time: Self.time($0.realtimeUsec), type: DeviceString($0.type).escaped(limit: 64),
                      severity: DeviceString($0.severity).escaped(limit: 16), message: DeviceString($0.message).escaped(limit: 300))
            }
        }.prefix(50))
    }

    static func time(_ usec: Int64) -> String {
        Date(timeIntervalSince1970: Double(usec) / 1e6).formatted(.iso8601)
    }
}

/// A stored envelope as the station page reads it: its seq, arrival, and payload bytes.
struct StoredRow: Sendable {
    var seq: Int64
    var receivedUsec: Int64
    var payload: Data?

    init(_ row: any SQLRow) {
        seq = (try? row.integer(required: "seq")) ?? 0
        receivedUsec = (try? row.integer(required: "received_usec")) ?? 0
        payload = (try? row.text(required: "envelope")).flatMap { try? JSONDecoder().decode(Envelope.self, from: Data($0.utf8)) }
            .flatMap { Data(base64Encoded: $0.payload) }
    }
}

extension StationView {
    /// The view with what the station wrote (its heartbeat's phase, alarms and scanner ports)
    /// escaped and bounded, for a person's screen.
    var escaped: StationView {
        var view = self
        view.phase = phase.map { DeviceString($0).escaped(limit: 16) }
        view.openAlarms = openAlarms.prefix(50).map {
            AlarmSummary(kind: DeviceString($0.kind).escaped(limit: 64), severity: DeviceString($0.severity).escaped(limit: 16),
                         port: DeviceString($0.port).escaped(limit: 32), state: DeviceString($0.state).escaped(limit: 16))
        }
        view.counters = counters.prefix(16).map {
            CounterSummary(port: DeviceString($0.port).escaped(limit: 32), public: $0.public, protective: $0.protective)
        }
        return view
    }
}
