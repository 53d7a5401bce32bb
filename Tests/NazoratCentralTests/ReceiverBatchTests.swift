import Crypto
import FoundationEssentials
@testable import NazoratCentral
import NazoratCore
import Testing

/// A batch is judged in one transaction: what comes before a refusal is kept with the
/// refusal, repeats are counted, and the station's state carries from one envelope to the next.
@Suite struct ReceiverBatchTests {
    private let key = Curve25519.Signing.PrivateKey()

    private func thinned(_ seq: Int) -> Envelope {
        let payload = #"{"station":"B-1","seq":\#(seq),"kind":"thinned","createdUsec":0,"thinnedKind":"heartbeat"}"#
        return Envelope.sign(type: EnvelopeHeader.payloadType(kind: "thinned"), payload: Array(payload.utf8), key: key)
    }

    @Test(arguments: StoreKind.allCases)
    func whatPrecedesARefusalIsKeptAndRepeatsAreCounted(_ kind: StoreKind) async throws {
        let test = try await kind.make()
        let store = test.database
        _ = try await store.enroll([RegistryFile.Entry(station: "B-1", region: "R", district: "D", name: "",
                                                 publicKey: key.publicKey.rawRepresentation.base64EncodedString(), line: 0)],
                             now: 1)
        let receiver = Receiver(database: store)
        let first = await receiver.receive((1...100).map(thinned) + [thinned(102), thinned(103)], now: 2)
        #expect(first.accepted == 100 && first.refusal?.code == .gap && first.duplicates == 0)
        #expect(try await store.station("B-1")?.acceptedSeq == 100)
        #expect(try await store.rejectionCounts() == ["gap": 1])
        let second = await receiver.receive([thinned(99), thinned(100), thinned(101)], now: 3)
        #expect(second.accepted == 101 && second.duplicates == 2 && second.refusal == nil)
        var forged = thinned(102)
        forged.signatures[0].sig = Data(repeating: 0, count: 64).base64EncodedString()
        let third = await receiver.receive([thinned(102), forged], now: 4)
        #expect(third.accepted == 102 && third.refusal?.code == .badSignature, "102 again, its signature zeroed")
        #expect(try await store.rejectionCounts() == ["gap": 1, "bad-signature": 1])
        #expect(try test.column("SELECT seq FROM envelopes ORDER BY seq") == (1...102).map(String.init), "each once")
        await test.close()
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchHoldsOneStationsEnvelopes(_ kind: StoreKind) async throws {
        let test = try await kind.make()
        let store = test.database
        let other = Curve25519.Signing.PrivateKey()
        _ = try await store.enroll([RegistryFile.Entry(station: "B-1", region: "R", district: "D", name: "",
                                                 publicKey: key.publicKey.rawRepresentation.base64EncodedString(), line: 0),
                              RegistryFile.Entry(station: "B-2", region: "R", district: "D", name: "",
                                                 publicKey: other.publicKey.rawRepresentation.base64EncodedString(), line: 0)],
                             now: 1)
        let foreign = Envelope.sign(type: EnvelopeHeader.payloadType(kind: "thinned"), payload: Array(
            #"{"station":"B-2","seq":1,"kind":"thinned","createdUsec":0,"thinnedKind":"heartbeat"}"#.utf8), key: other)
        let outcome = await Receiver(database: store).receive([thinned(1), foreign], now: 2)
        #expect(outcome.station == "B-1" && outcome.accepted == 1 && outcome.refusal?.code == .malformed)
        #expect(try await store.station("B-2")?.acceptedSeq == 0)
        await test.close()
    }

    // Regression (review): a NUL in a header's station went to PostgreSQL, which refuses it in
    // text, and the batch was a 503 with nothing recorded; SQLite recorded unknown-station.
    @Test(arguments: StoreKind.allCases)
    func aStationIdNoRegistryCouldHoldIsUnknownAndRecordedEscaped(_ kind: StoreKind) async throws {
        let test = try await kind.make()
        let hostile = Envelope.sign(type: EnvelopeHeader.payloadType(kind: "thinned"), payload: Array(
            #"{"station":"B\u0000-1","seq":1,"kind":"thinned","createdUsec":0,"thinnedKind":"heartbeat"}"#.utf8), key: key)
        let outcome = await Receiver(database: test.database).receive([hostile], now: 2)
        #expect(outcome.refusal?.code == .unknownStation && outcome.station == "B\\x00-1")
        #expect(try await test.database.rejectionCounts() == ["unknown-station": 1])
        #expect(try test.column("SELECT station FROM rejections") == ["B\\x00-1"], "escaped, as a person reads it")
        await test.close()
    }

    // The receiver verifies a station's envelopes before their transaction with the key the
    // station last verified with: after a re-enrolment that guess is the old key, which must
    // no longer open the station.
    @Test(arguments: StoreKind.allCases)
    func afterAReEnrolmentTheOldKeyIsRefusedThoughItVerifiedLastTime(_ kind: StoreKind) async throws {
        let test = try await kind.make()
        let store = test.database
        func enroll(_ key: Curve25519.Signing.PrivateKey) async throws {
            _ = try await store.enroll([RegistryFile.Entry(station: "B-1", region: "R", district: "D", name: "",
                                                           publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
                                                           line: 0)], now: 1)
        }
        func thinned(_ seq: Int, by signer: Curve25519.Signing.PrivateKey) -> Envelope {
            let payload = #"{"station":"B-1","seq":\#(seq),"kind":"thinned","createdUsec":0,"thinnedKind":"heartbeat"}"#
            return Envelope.sign(type: EnvelopeHeader.payloadType(kind: "thinned"), payload: Array(payload.utf8), key: signer)
        }
        let receiver = Receiver(database: store)
        try await enroll(key)
        #expect(await receiver.receive([thinned(1, by: key)], now: 2).accepted == 1)
        let replacement = Curve25519.Signing.PrivateKey()
        try await enroll(replacement)
        let old = await receiver.receive([thinned(1, by: key)], now: 3)
        #expect(old.refusal?.code == .badSignature, "the replaced key")
        let new = await receiver.receive([thinned(1, by: replacement)], now: 4)
        #expect(new.accepted == 1 && new.refusal == nil, "the new installation's first envelope")
        await test.close()
    }
}
