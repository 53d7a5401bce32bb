import NazoratCentral
import PostgresNIO

/// A group's two statements, prepared once per connection: each was parsed, analysed and
/// planned again at every use (a third of the server's work per group, measured).
///
/// The group's stations' rows, locked in the order of their ids.
struct LockStations: PostgresPreparedStatement {
    /// Named columns, not `*`: a prepared statement whose result changed shape (a migration by
    /// a newer process) fails on every use.
    static let sql = """
        SELECT station, public_key, enrolled_usec, accepted_seq, event_seq, event_hash, last_seen_usec, heartbeat_usec,
               heartbeat, final_report, clock_jumps, region, district, name, retired_usec, generation
        FROM stations WHERE station = ANY($1::text[]) ORDER BY station FOR UPDATE
        """
    let stations: [String]

    func makeBindings() -> PostgresBindings {
        var binds = PostgresBindings(capacity: 1)
        binds.append(stations)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> StationRecord { try StationRecord(row: row.makeRandomAccess()) }
}

/// A group's envelopes and station states in one statement: rows as arrays that `unnest`
/// turns back into rows, the insert a data-modifying `WITH` of the update. A statement per
/// envelope and per station cost the group a round trip and a parse and plan each, most of
/// central's and the server's work per heartbeat (measured: one central process with
/// PostgreSQL reached 948 heartbeats/s that way, 1,850 with one statement per kind).
/// The update's columns are those of ``CentralSQL/update(_:)``.
struct WriteGroup: PostgresPreparedStatement {
    typealias Row = ()
    static let sql = """
        WITH inserted AS (
            INSERT INTO envelopes (station, generation, seq, kind, received_usec, envelope)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::text[])
        )
        UPDATE stations AS s SET accepted_seq = u.accepted_seq, event_seq = u.event_seq, event_hash = u.event_hash,
               last_seen_usec = u.last_seen_usec, heartbeat_usec = u.heartbeat_usec, heartbeat = u.heartbeat,
               final_report = u.final_report, clock_jumps = u.clock_jumps
        FROM unnest($7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::bigint[], $12::bigint[], $13::text[],
                    $14::text[], $15::bigint[])
             AS u(station, accepted_seq, event_seq, event_hash, last_seen_usec, heartbeat_usec, heartbeat,
                  final_report, clock_jumps)
        WHERE s.station = u.station COLLATE "C"
        """
    private let binds: PostgresBindings

    /// Nil when no batch accepted anything (a station changes only when an envelope of its is).
    init?(_ ledgers: [BatchLedger]) {
        guard ledgers.contains(where: { !$0.accepted.isEmpty }) else { return nil }
        let rows = ledgers.flatMap { ledger in ledger.accepted.map { (item: $0, now: ledger.now) } }
        let records = ledgers.flatMap(\.stationsLeft)
        var binds = PostgresBindings(capacity: 15)
        binds.append(rows.map(\.item.record.station))
        binds.append(rows.map(\.item.record.generation))
        binds.append(rows.map(\.item.seq))
        binds.append(rows.map(\.item.kind))
        binds.append(rows.map(\.now))
        binds.append(rows.map(\.item.envelope))
        binds.append(records.map(\.station))
        binds.append(records.map(\.acceptedSeq))
        binds.append(records.map(\.eventSeq))
        binds.append(NullableArray(records.map(\.eventHash)))
        binds.append(NullableArray(records.map(\.lastSeenUsec)))
        binds.append(NullableArray(records.map(\.heartbeatUsec)))
        binds.append(NullableArray(records.map(\.heartbeat)))
        binds.append(NullableArray(records.map(\.finalReport)))
        binds.append(records.map { Int64($0.clockJumps) })
        self.binds = binds
    }

    func makeBindings() -> PostgresBindings { binds }

    func decodeRow(_ row: PostgresRow) throws {}
}

/// A one-dimensional array whose elements may be NULL, in PostgreSQL's binary array format:
/// postgres-nio encodes arrays of values only.
struct NullableArray<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable {
    let elements: [Element?]

    init(_ elements: [Element?]) { self.elements = elements }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // Dimensions, whether any element is NULL, the elements' type; then the dimension's
        // length and lower bound; then each element as its length (-1: NULL) and bytes.
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - lengthIndex - 4), at: lengthIndex)
        }
    }
}
