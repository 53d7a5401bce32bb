/// Central's statements, written once for both stores (``SQLStatement``): what a batch, an
/// enrolment and the views read and write.
package enum CentralSQL {
    package static func station(_ id: String) -> SQLStatement {
        SQLStatement("SELECT * FROM stations WHERE station = ?", [.text(id)])
    }

    package static let stations = SQLStatement("SELECT * FROM stations ORDER BY station")

    package static func storedEnvelope(_ record: StationRecord, seq: Int64) -> SQLStatement {
        SQLStatement("SELECT envelope FROM envelopes WHERE station = ? AND generation = ? AND seq = ?",
                     [.text(record.station), .integer(record.generation), .integer(seq)])
    }

    package static func report(_ record: StationRecord, eventSeq: Int64) -> SQLStatement {
        SQLStatement("SELECT * FROM reports WHERE station = ? AND generation = ? AND event_seq = ?",
                     [.text(record.station), .integer(record.generation), .integer(eventSeq)])
    }

    /// The station's `events` envelopes of its current generation, newest first.
    package static func storedEvents(_ record: StationRecord) -> SQLStatement {
        SQLStatement("SELECT envelope FROM envelopes WHERE station = ? AND generation = ? AND kind = 'events' ORDER BY seq DESC",
                     [.text(record.station), .integer(record.generation)])
    }

    /// Every station's newest report of each occasion, of its current generation.
    package static let latestReports = SQLStatement("""
        SELECT r.* FROM reports r
        JOIN (SELECT r.station, r.generation, r.occasion, MAX(r.event_seq) AS newest FROM reports r
              JOIN stations s ON s.station = r.station AND s.generation = r.generation
              GROUP BY r.station, r.generation, r.occasion) n
          ON r.station = n.station AND r.generation = n.generation AND r.occasion = n.occasion
         AND r.event_seq = n.newest
        """)

    /// One station's reports of its current generation, oldest first.
    package static func reports(_ record: StationRecord) -> SQLStatement {
        SQLStatement("SELECT * FROM reports WHERE station = ? AND generation = ? ORDER BY event_seq",
                     [.text(record.station), .integer(record.generation)])
    }

    package static let rejectionCounts = SQLStatement("SELECT reason, COUNT(*) AS n FROM rejections GROUP BY reason")

    package static let keyHistory = SQLStatement("SELECT station, generation, public_key FROM station_keys ORDER BY station, generation")

    // MARK: A batch's writes

    package static func insert(_ report: ReportRecord, generation: Int64, now: Int64) -> SQLStatement {
        SQLStatement("""
            INSERT INTO reports (station, generation, occasion, event_seq, event_hash, report, received_usec)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """, [.text(report.station), .integer(generation), .text(report.occasion.rawValue), .integer(report.eventSeq),
                  .text(report.eventHash), .text(report.report), .integer(now)])
    }

    package static func signReport(_ record: StationRecord, eventSeq: Int64, envelopeSeq: Int64) -> SQLStatement {
        SQLStatement("UPDATE reports SET envelope_seq = ? WHERE station = ? AND generation = ? AND event_seq = ?",
                     [.integer(envelopeSeq), .text(record.station), .integer(record.generation), .integer(eventSeq)])
    }

    package static func insertEnvelope(_ record: StationRecord, seq: Int64, kind: String, envelope: String,
                                       now: Int64) -> SQLStatement {
        SQLStatement("""
            INSERT INTO envelopes (station, generation, seq, kind, received_usec, envelope) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(record.station), .integer(record.generation), .integer(seq), .text(kind), .integer(now),
                  .text(envelope)])
    }

    /// The station's state as a batch leaves it (``BatchLedger``).
    package static func update(_ record: StationRecord) -> SQLStatement {
        SQLStatement("""
            UPDATE stations SET accepted_seq = ?, event_seq = ?, event_hash = ?, last_seen_usec = ?, heartbeat_usec = ?,
                                heartbeat = ?, final_report = ?, clock_jumps = ?
            WHERE station = ?
            """, [.integer(record.acceptedSeq), .integer(record.eventSeq), .text(record.eventHash),
                  .integer(record.lastSeenUsec), .integer(record.heartbeatUsec), .text(record.heartbeat),
                  .text(record.finalReport), .integer(Int64(record.clockJumps)), .text(record.station)])
    }

    package static func reject(_ rejection: BatchLedger.Rejection, now: Int64) -> SQLStatement {
        SQLStatement("""
            INSERT INTO rejections (station, generation, seq, reason, received_usec, envelope) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(rejection.station), .integer(rejection.generation), .integer(rejection.seq),
                  .text(rejection.reason), .integer(now), .text(rejection.envelope)])
    }
}
