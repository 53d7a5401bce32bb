import Crypto
import FoundationEssentials
@testable import NazoratCentral
import NazoratCore
import Testing

/// Many stations' batches at once, as a national election sends them: the stores commit them
/// in groups (``GroupCommit``), and each batch is judged as if it had been alone.
@Suite struct GroupedBatchTests {
    private let stations = (0..<40).map { (id: "G-\(1000 + $0)", key: Curve25519.Signing.PrivateKey()) }

    private func envelope(_ station: (id: String, key: Curve25519.Signing.PrivateKey), _ seq: Int) -> Envelope {
        let payload = #"{"station":"\#(station.id)","seq":\#(seq),"kind":"thinned","createdUsec":0,"thinnedKind":"heartbeat"}"#
        return Envelope.sign(type: EnvelopeHeader.payloadType(kind: "thinned"), payload: Array(payload.utf8), key: station.key)
    }

    @Test(arguments: StoreKind.allCases)
    func batchesOfManyStationsAtOnceAreEachJudgedAsIfAlone(_ kind: StoreKind) async throws {
        let test = try await kind.make()
        let store = test.database
        _ = try await store.enroll(stations.map {
            RegistryFile.Entry(station: $0.id, region: "R", district: "D", name: "",
                               publicKey: $0.key.publicKey.rawRepresentation.base64EncodedString(), line: 0)
        }, now: 1)
        let receiver = Receiver(database: store)
        let outcomes = await withTaskGroup(of: [String].self) { group in
            for (index, station) in stations.enumerated() {
                group.addTask {
                    var seen: [String] = []
                    for seq in 1...5 {
                        // Each station's batches in turn, as an uplink sends them; every fifth
                        // station sends its third batch twice at once (an uplink that failed
                        // over while the first answer was on its way); the last one's fourth
                        // batch skips a seq.
                        let batch = [envelope(station, seq == 4 && index == 39 ? 6 : seq)]
                        if seq == 3 && index % 5 == 0 {
                            async let first = receiver.receive(batch, now: 2)
                            async let second = receiver.receive(batch, now: 2)
                            let both = await [first, second]
                            seen.append(both.map { "\($0.accepted ?? -1)/\($0.duplicates)" }.sorted().joined(separator: " "))
                        } else {
                            let outcome = await receiver.receive(batch, now: 2)
                            seen.append("\(outcome.accepted ?? -1)\(outcome.refusal.map { " \($0.code.rawValue)" } ?? "")")
                        }
                    }
                    return [station.id] + seen
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let byStation = Dictionary(uniqueKeysWithValues: outcomes.map { ($0[0], Array($0.dropFirst())) })
        for (index, station) in stations.enumerated() {
            let third = index % 5 == 0 ? "3/0 3/1" : "3"
            let expected = index == 39 ? ["1", "2", third, "3 gap", "3 gap"] : ["1", "2", third, "4", "5"]
            #expect(byStation[station.id] == expected, "\(station.id)")
            #expect(try await store.station(station.id)?.acceptedSeq == (index == 39 ? 3 : 5))
        }
        #expect(try test.column("SELECT COUNT(*) FROM envelopes") == ["\(39 * 5 + 3)"], "each envelope stored once")
        #expect(try await store.rejectionCounts() == ["gap": 2])
        await test.close()
    }

    /// PostgreSQL writes a group's envelopes and stations as arrays in one statement, its
    /// own encoding for arrays with NULLs among them: every station's state comes back as
    /// written, each NULL where it was and each text byte for byte.
    @Test(arguments: StoreKind.allCases)
    func aGroupsWritesKeepEveryStationsStateItsNullsToo(_ kind: StoreKind) async throws {
        let test = try await kind.make()
        let store = test.database
        _ = try await store.enroll(stations.prefix(3).map {
            RegistryFile.Entry(station: $0.id, region: "R", district: "D", name: "",
                               publicKey: $0.key.publicKey.rawRepresentation.base64EncodedString(), line: 0)
        }, now: 1)
        var records: [StationRecord] = []
        for station in stations.prefix(3) { records.append(try #require(try await store.station(station.id))) }
        (records[0].heartbeat, records[0].heartbeatUsec, records[0].lastSeenUsec, records[0].clockJumps) =
            (#"{"bootId":"b","é":"\u0000"}"#, 5, 7, 2)
        (records[1].eventSeq, records[1].eventHash, records[1].finalReport) = (3, "h3", "final \"report\" ✓")
        records[2].acceptedSeq = 9
        let written = records
        try await store.batch(headers: [], now: 11) { ledger in
            for (index, record) in written.enumerated() {
                ledger.accept(record, seq: Int64(index + 1), kind: "thinned", envelope: "envelope \(index)", reports: .none)
            }
        }
        for record in records { #expect(try await store.station(record.station) == record) }
        #expect(try test.column("SELECT envelope FROM envelopes ORDER BY seq") == ["envelope 0", "envelope 1", "envelope 2"])
        #expect(try test.column("SELECT received_usec FROM envelopes") == ["11", "11", "11"])
        await test.close()
    }
}
