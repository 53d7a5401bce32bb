import FoundationEssentials
@testable import NazoratCentral
import Synchronization
import Testing

/// Enrolment in central's database: one transaction, new keys as new installations, retiring.
@Suite struct RegistryStoreTests {

    private func entry(_ station: String, region: String = "Tashkent", key: String) -> RegistryFile.Entry {
        RegistryFile.Entry(station: station, region: region, district: "Yunusobod", name: "School", publicKey: key, line: 0)
    }

    @Test(arguments: StoreKind.allCases)
    func aListIsEnrolledOnceAndAgainWithMovesNewKeysAndRetiredStations(_ kind: StoreKind) async throws {
        let test = try await kind.make()
        let store = test.database
        let (a, b, c) = (RegistryFileTests.key(), RegistryFileTests.key(), RegistryFileTests.key())
        let seen = Mutex<[Int]>([])
        let first = try await store.enroll((0..<1200).map { entry("S-\($0)", key: $0 == 0 ? a : RegistryFileTests.key()) },
                                           keepPlaces: false, now: 1, progress: { done in seen.withLock { $0.append(done) } })
        #expect(first.added == 1200 && seen.withLock { $0 } == [0, 500, 1000, 1200])

        // S-0 delivered up to seq 7; then its computer is replaced (new key), S-1 moves, S-2 retires.
        var record = try #require(try await store.station("S-0"))
        record.acceptedSeq = 7
        try await test.accept(record, seq: 1, envelope: "{}", now: 2)
        #expect(try await store.retire(station: "S-2", now: 3))
        #expect(try await !store.retire(station: "NOPE", now: 3))
        let (s1, s2) = (try #require(try await store.station("S-1")), try #require(try await store.station("S-2")))
        let second = try await store.enroll([entry("S-0", key: b), entry("S-1", region: "Samarqand", key: s1.publicKey),
                                             entry("S-2", key: s2.publicKey), entry("S-9999", key: c)], now: 4)
        #expect(second == Enrolment(added: 1, rekeyed: 1, moved: 1, unchanged: 0, reinstated: 1))
        let replaced = try #require(try await store.station("S-0"))
        #expect(replaced.publicKey == b && replaced.generation == 2 && replaced.acceptedSeq == 0)
        #expect(try test.column("SELECT public_key FROM station_keys WHERE station = 'S-0' ORDER BY generation") == [a],
                "the replaced key stays in the station's history")
        #expect(try test.column("SELECT generation || ':' || envelope FROM envelopes WHERE station = 'S-0'") == ["1:{}"],
                "what the old key sent stays, under the old generation; the new installation's seq 1 is free")
        #expect(try await store.station("S-1")?.region == "Samarqand")
        #expect(try await store.station("S-2")?.retiredUsec == nil)

        // One enrolment by key keeps the station's place.
        let single = try await store.enroll([RegistryFile.Entry(station: "S-1", region: "unassigned", district: "unassigned",
                                                                name: "", publicKey: s1.publicKey, line: 0)],
                                            keepPlaces: true, now: 5)
        let region = try await store.station("S-1")?.region
        #expect(single.unchanged == 1 && region == "Samarqand")
        await test.close()
    }

    // Regression (review): a former key, or another station's key, started a generation that
    // took the old envelopes again.
    @Test(arguments: StoreKind.allCases)
    func aKeyAnotherStationHoldsOrAStationHadBeforeIsRefused(_ kind: StoreKind) async throws {
        let test = try await kind.make()
        let store = test.database
        let (a, b, c) = (RegistryFileTests.key(), RegistryFileTests.key(), RegistryFileTests.key())
        _ = try await store.enroll([entry("S-1", key: a), entry("S-2", key: b)], now: 1)
        _ = try await store.enroll([entry("S-1", key: c)], now: 2)
        for (station, key, message) in [("S-1", a, "had this key before"), ("S-3", b, "is S-2's key"),
                                        ("S-3", a, "is S-1's former key")] {
            var withLine = entry(station, key: key)
            withLine.line = 9
            await #expect {
                _ = try await store.enroll([entry("S-4", key: RegistryFileTests.key()), withLine], now: 3)
            } throws: { error in
                let problems = (error as? RegistryFile.Problems)?.list ?? []
                return problems.count == 1 && problems[0].line == 9 && problems[0].message.contains(message)
            }
        }
        #expect(try await store.station("S-4") == nil, "nothing of a refused list is enrolled")
        #expect(try await store.station("S-1")?.publicKey == c)
        await test.close()
    }

    // Regression (review): PostgreSQL sorted station ids by the database's locale, SQLite bytewise.
    @Test(arguments: StoreKind.allCases)
    func stationsComeInTheSameOrderFromEitherStore(_ kind: StoreKind) async throws {
        let test = try await kind.make()
        let ids = ["b-1", "C-1", "a-1", "TSH-10", "TSH1", "TSH.2"]
        _ = try await test.database.enroll(ids.map { entry($0, key: RegistryFileTests.key()) }, now: 1)
        #expect(try await test.database.stations().map(\.station) == ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        await test.close()
    }
}
