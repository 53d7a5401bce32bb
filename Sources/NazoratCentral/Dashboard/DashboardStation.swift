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

    /// The newest envelopes read for the page.
    static let recent = 60

    static func statement(_ record: StationRecord) -> SQLStatement {
        SQLStatement("""
            SELECT seq, kind, received_usec, envelope FROM envelopes WHERE station = ? AND generation = ?
            AND kind IN ('heartbeat', 'events') ORDER BY seq DESC LIMIT ?
            """, [.text(record.station), .integer(record.generation), .integer(Int64(recent))])
    }

    init(_ view: StationView, rows: [any SQLRow]) throws {
        station = view
        (heartbeats, events) = ([], [])
        for row in rows {
            guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(try row.text(required: "envelope").utf8)),
                  let payload = Data(base64Encoded: envelope.payload) else { continue }
            let received = Self.time(try row.integer(required: "received_usec"))
            if try row.text(required: "kind") == "heartbeat" {
                guard let beat = try? JSONDecoder().decode(HeartbeatPayload.self, from: payload) else { continue }
                heartbeats.append(Heartbeat(seq: try row.integer(required: "seq"), received: received,
                                            phase: DeviceString(beat.phase).escaped(limit: 16), openAlarms: beat.alarms.count))
            } else if let batch = try? JSONDecoder().decode(EventBatchPayload.self, from: payload) {
                events += batch.events.reversed().map {
                    Event(seq: $0.seq, time: Self.time($0.realtimeUsec), type: DeviceString($0.type).escaped(limit: 64),
                          severity: DeviceString($0.severity).escaped(limit: 16), message: DeviceString($0.message).escaped(limit: 300))
                }
            }
        }
        heartbeats = Array(heartbeats.prefix(20))
        events = Array(events.prefix(50))
    }

    private static func time(_ usec: Int64) -> String {
        Date(timeIntervalSince1970: Double(usec) / 1e6).formatted(.iso8601)
    }
}
