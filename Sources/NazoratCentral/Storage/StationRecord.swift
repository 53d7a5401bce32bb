/// One station as central knows it.
package struct StationRecord: Sendable, Equatable {
    package var station: String
    package var publicKey: String
    package var enrolledUsec: Int64
    /// The highest contiguous envelope seq accepted.
    package var acceptedSeq: Int64
    /// The head of the station's event chain as received.
    package var eventSeq: Int64
    package var eventHash: String?
    /// Central's clock when the last envelope arrived.
    package var lastSeenUsec: Int64?
    /// Central's clock when the newest heartbeat arrived.
    package var heartbeatUsec: Int64?
    /// The newest heartbeat's payload (JSON).
    package var heartbeat: String?
    package var finalReport: String?
    /// Wall-clock jumps seen between heartbeats of one boot.
    package var clockJumps: Int
    package var region: String
    package var district: String
    /// Its name or address.
    package var name: String
    /// When it was retired, if it is.
    package var retiredUsec: Int64?
    /// Its installation under the current key, from 1 (Registry/RegistryPlan.swift).
    package var generation: Int64

    package init(row: any SQLRow) throws {
        station = try row.text(required: "station")
        publicKey = try row.text(required: "public_key")
        enrolledUsec = try row.integer(required: "enrolled_usec")
        acceptedSeq = try row.integer(required: "accepted_seq")
        eventSeq = try row.integer(required: "event_seq")
        eventHash = try row.text("event_hash")
        lastSeenUsec = try row.integer("last_seen_usec")
        heartbeatUsec = try row.integer("heartbeat_usec")
        heartbeat = try row.text("heartbeat")
        finalReport = try row.text("final_report")
        clockJumps = Int(clamping: try row.integer(required: "clock_jumps"))
        region = try row.text(required: "region")
        district = try row.text(required: "district")
        name = try row.text(required: "name")
        retiredUsec = try row.integer("retired_usec")
        generation = try row.integer(required: "generation")
    }
}
