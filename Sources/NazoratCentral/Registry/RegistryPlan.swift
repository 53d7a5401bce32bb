/// What an enrolment does to the registry, decided from the registry as the enrolment's
/// transaction finds it, the same for both stores: new stations are added; a known one takes
/// its place and name from the entry (unless `keepPlaces`, for a single enrolment by key) and,
/// with another key, starts a new installation. A station's key never changes (nazoratd
/// starts a new chain with a new one), so re-keying starts a new `generation`: its envelope
/// and event sequences start again from 1, the old key goes to `station_keys`, and what the
/// old key sent stays, under the old generation.
package struct RegistryPlan {
    /// Each entry's statements, in the entries' order (the store reports progress by them).
    package private(set) var steps: [[SQLStatement]] = []
    package private(set) var summary = Enrolment()

    /// A former key: `station` held it as its installation `generation`.
    package struct FormerKey {
        package var station: String
        package var generation: Int64
        package var publicKey: String

        package init(row: any SQLRow) throws {
            station = try row.text(required: "station")
            generation = try row.integer(required: "generation")
            publicKey = try row.text(required: "public_key")
        }
    }

    /// Throws ``RegistryFile/Problems`` (the entries' lines) if a key is not new.
    package init(_ entries: [RegistryFile.Entry], keepPlaces: Bool, known: [StationRecord], formerKeys: [FormerKey],
                 now: Int64) throws {
        let byStation = Dictionary(known.map { ($0.station, $0) }, uniquingKeysWith: { first, _ in first })
        try Self.checkKeysAreNew(entries, known: known, formerKeys: formerKeys)
        for entry in entries {
            guard let old = byStation[entry.station] else {
                steps.append([SQLStatement("""
                    INSERT INTO stations (station, public_key, enrolled_usec, region, district, name) VALUES (?, ?, ?, ?, ?, ?)
                    """, [.text(entry.station), .text(entry.publicKey), .integer(now), .text(entry.region),
                          .text(entry.district), .text(entry.name)])])
                summary.added += 1
                continue
            }
            var step: [SQLStatement] = []
            if RegistryRules.canonicalKey(old.publicKey) != entry.publicKey {
                step.append(SQLStatement("""
                    INSERT INTO station_keys (station, generation, public_key, enrolled_usec, replaced_usec) VALUES (?, ?, ?, ?, ?)
                    """, [.text(old.station), .integer(old.generation), .text(old.publicKey), .integer(old.enrolledUsec),
                          .integer(now)]))
                step.append(SQLStatement("""
                    UPDATE stations SET public_key = ?, enrolled_usec = ?, generation = generation + 1, accepted_seq = 0,
                        event_seq = 0, event_hash = NULL, last_seen_usec = NULL, heartbeat_usec = NULL, heartbeat = NULL,
                        final_report = NULL, clock_jumps = 0
                    WHERE station = ?
                    """, [.text(entry.publicKey), .integer(now), .text(old.station)]))
                summary.rekeyed += 1
            }
            if !keepPlaces, (old.region, old.district, old.name) != (entry.region, entry.district, entry.name) {
                step.append(SQLStatement("UPDATE stations SET region = ?, district = ?, name = ? WHERE station = ?",
                                         [.text(entry.region), .text(entry.district), .text(entry.name), .text(old.station)]))
                summary.moved += 1
            }
            if old.retiredUsec != nil {
                step.append(SQLStatement("UPDATE stations SET retired_usec = NULL WHERE station = ?", [.text(old.station)]))
                summary.reinstated += 1
            }
            if step.isEmpty { summary.unchanged += 1 }
            steps.append(step)
        }
    }

    /// A key belongs to one station, once: a key another station holds or held, or one this
    /// station had before, would let what was signed with it count again (a new generation
    /// starts its sequence at 1). Refused with the entries' lines; nothing is enrolled.
    private static func checkKeysAreNew(_ entries: [RegistryFile.Entry], known: [StationRecord],
                                        formerKeys: [FormerKey]) throws {
        var owner: [String: (station: String, current: Bool)] = [:]
        for former in formerKeys { owner[RegistryRules.canonicalKey(former.publicKey)] = (former.station, false) }
        for record in known { owner[RegistryRules.canonicalKey(record.publicKey)] = (record.station, true) }
        var problems: [RegistryFile.Problem] = []
        for entry in entries {
            guard let holder = owner[entry.publicKey], !(holder.current && holder.station == entry.station) else { continue }
            problems.append(.init(line: entry.line, message: holder.station == entry.station
                ? "\(entry.station) had this key before; a new installation needs a new key (nazoratd key prints it)"
                : "the public key of \(entry.station) is \(holder.station)'s\(holder.current ? "" : " former") key: "
                    + "each station has a key of its own"))
        }
        if !problems.isEmpty { throw RegistryFile.Problems(list: problems) }
    }

    package static func retire(_ station: String, now: Int64) -> SQLStatement {
        SQLStatement("UPDATE stations SET retired_usec = COALESCE(retired_usec, ?) WHERE station = ?",
                     [.integer(now), .text(station)])
    }
}

/// What an enrolment changed.
public struct Enrolment: Sendable, Equatable, CustomStringConvertible {
    public var added = 0, rekeyed = 0, moved = 0, unchanged = 0, reinstated = 0

    public var description: String {
        "\(added) new, \(rekeyed) with a new key, \(moved) with a new region, district or name, "
            + "\(reinstated) no longer retired, \(unchanged) unchanged"
    }
}
