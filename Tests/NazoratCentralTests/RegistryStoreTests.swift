import FoundationEssentials
@testable import NazoratCentral
import Testing

/// Enrolment in central's database: one transaction, new keys as new installations, retiring.
@Suite struct RegistryStoreTests {
    private let directory = FileManager.default.temporaryDirectory.path + "/nazorat-registry-\(UInt64.random(in: 0...UInt64.max))"

    private func entry(_ station: String, region: String = "Tashkent", key: String) -> RegistryFile.Entry {
        RegistryFile.Entry(station: station, region: region, district: "Yunusobod", name: "School", publicKey: key, line: 0)
    }

    @Test func aListIsEnrolledOnceAndAgainWithMovesNewKeysAndRetiredStations() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CentralStore(path: directory + "/central.db")
        let (a, b, c) = (RegistryFileTests.key(), RegistryFileTests.key(), RegistryFileTests.key())
        var seen: [Int] = []
        let first = try store.enroll((0..<1200).map { entry("S-\($0)", key: $0 == 0 ? a : RegistryFileTests.key()) },
                                     now: 1, progress: { seen.append($0) })
        #expect(first.added == 1200 && seen.first == 0 && seen.last == 1200)

        // S-0 delivered up to seq 7; then its computer is replaced (new key), S-1 moves, S-2 retires.
        var record = try #require(try store.station("S-0"))
        record.acceptedSeq = 7
        try store.accept(record, seq: 1, kind: "thinned", envelope: "{}", now: 2)
        #expect(try store.retire(station: "S-2", now: 3) && !(try store.retire(station: "NOPE", now: 3)))
        let second = try store.enroll([entry("S-0", key: b), entry("S-1", region: "Samarqand", key: try #require(try store.station("S-1")).publicKey),
                                       entry("S-2", key: try #require(try store.station("S-2")).publicKey), entry("S-9999", key: c)],
                                      now: 4)
        #expect(second == Enrolment(added: 1, rekeyed: 1, moved: 1, unchanged: 0, reinstated: 1))
        let replaced = try #require(try store.station("S-0"))
        #expect(replaced.publicKey == b && replaced.generation == 2 && replaced.acceptedSeq == 0)
        #expect(try store.formerKeys(station: "S-0").map(\.publicKey) == [a])
        #expect(try store.storedEnvelope(replaced, seq: 1) == nil, "the new installation's seq 1 is free")
        #expect(try store.storedEnvelope(record, seq: 1) == "{}", "what the old key sent stays")
        #expect(try store.station("S-1")?.region == "Samarqand" && store.station("S-2")?.retiredUsec == nil)

        // One enrolment by key keeps the station's place.
        let single = try store.enroll([RegistryFile.Entry(station: "S-1", region: "unassigned", district: "unassigned",
                                                          name: "", publicKey: try #require(try store.station("S-1")).publicKey,
                                                          line: 0)], keepPlaces: true, now: 5)
        let region = try store.station("S-1")?.region
        #expect(single.unchanged == 1 && region == "Samarqand")
    }

    // Regression (review): a former key, or another station's key, started a generation that
    // took the old envelopes again.
    @Test func aKeyAnotherStationHoldsOrAStationHadBeforeIsRefused() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CentralStore(path: directory + "/central.db")
        let (a, b, c) = (RegistryFileTests.key(), RegistryFileTests.key(), RegistryFileTests.key())
        _ = try store.enroll([entry("S-1", key: a), entry("S-2", key: b)], now: 1)
        _ = try store.enroll([entry("S-1", key: c)], now: 2)
        for (station, key, message) in [("S-1", a, "had this key before"), ("S-3", b, "is S-2's key"),
                                        ("S-3", a, "is S-1's former key")] {
            var withLine = entry(station, key: key)
            withLine.line = 9
            #expect {
                _ = try store.enroll([entry("S-4", key: RegistryFileTests.key()), withLine], now: 3)
            } throws: { error in
                let problems = (error as? RegistryFile.Problems)?.list ?? []
                return problems.count == 1 && problems[0].line == 9 && problems[0].message.contains(message)
            }
        }
        #expect(try store.station("S-4") == nil, "nothing of a refused list is enrolled")
        #expect(try store.station("S-1")?.publicKey == c)
    }
}
