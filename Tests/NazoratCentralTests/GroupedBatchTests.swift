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
}
