import GRDB
import NazoratCore

/// Central's database inside one transaction: the Receiver judges a whole batch in one, so
/// that a batch of 100 envelopes is one commit and one sync, not a hundred.
struct CentralTransaction {
    let db: Database

    func station(_ id: String) throws -> StationRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM stations WHERE station = ?", arguments: [id]).map(StationRecord.init)
    }


    /// The envelope `seq` of the station's current generation.
    func storedEnvelope(_ record: StationRecord, seq: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT envelope FROM envelopes WHERE station = ? AND generation = ? AND seq = ?",
                            arguments: [record.station, record.generation, seq])
    }

    /// What an accepted envelope changes in the reports table.
    enum ReportChange: Sendable {
        case none
        /// Report events an `events` envelope carried.
        case recorded([ReportRecord])
        /// The report of event `eventSeq` arrived signed in envelope `envelopeSeq`; `recovered`
        /// is its event when it was found in the stored envelopes only.
        case signed(eventSeq: Int64, envelopeSeq: Int64, recovered: ReportRecord?)
    }

    /// Stores an accepted envelope and the station's new state.
    func accept(_ record: StationRecord, seq: Int64, kind: String, envelope: String, now: Int64,
                reports: ReportChange = .none) throws {
        switch reports {
        case .none: break
        case .recorded(let records):
            for report in records { try insert(report, generation: record.generation, now: now) }
        case .signed(let eventSeq, let envelopeSeq, let recovered):
            if let recovered { try insert(recovered, generation: record.generation, now: now) }
            try db.execute(sql: "UPDATE reports SET envelope_seq = ? WHERE station = ? AND generation = ? AND event_seq = ?",
                           arguments: [envelopeSeq, record.station, record.generation, eventSeq])
        }
        try db.execute(sql: """
            INSERT INTO envelopes (station, generation, seq, kind, received_usec, envelope) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [record.station, record.generation, seq, kind, now, envelope])
        try db.execute(sql: """
            UPDATE stations SET accepted_seq = ?, event_seq = ?, event_hash = ?, last_seen_usec = ?, heartbeat_usec = ?,
                                heartbeat = ?, final_report = ?, clock_jumps = ?
            WHERE station = ?
            """, arguments: [record.acceptedSeq, record.eventSeq, record.eventHash, record.lastSeenUsec,
                             record.heartbeatUsec, record.heartbeat, record.finalReport, record.clockJumps, record.station])
    }

    func reject(station: String?, generation: Int64?, seq: Int64?, reason: String, envelope: String, now: Int64) throws {
        try db.execute(sql: """
            INSERT INTO rejections (station, generation, seq, reason, received_usec, envelope) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [station, generation, seq, reason, now, envelope])
    }
}
