import Crypto
import FoundationEssentials
import NazoratCore
import Testing

/// Envelopes: DSSE signing and what breaks a signature; outbox thinning.
@Suite struct EnvelopeTests {
    private let key = Curve25519.Signing.PrivateKey()
    private let payload = Array(#"{"station":"TSH-1","seq":1,"kind":"heartbeat","createdUsec":1}"#.utf8)
    private let type = EnvelopeHeader.payloadType(kind: "heartbeat")

    @Test func aSignedEnvelopeVerifiesWithTheStationKeyOnly() {
        let envelope = Envelope.sign(type: type, payload: payload, key: key)
        #expect(envelope.verifiedPayload(key: key.publicKey) == payload)
        #expect(envelope.verifiedPayload(key: Curve25519.Signing.PrivateKey().publicKey) == nil, "another key")
        #expect(envelope.signatures.first?.keyid == Envelope.keyID(of: key.publicKey))
        #expect(envelope.signatures.first?.keyid.count == 32)
    }

    @Test func thePreAuthenticationEncodingIsDSSEs() {
        #expect(Envelope.preAuthenticationEncoding(type: "t/x", payload: Array("hello".utf8))
            == Array("DSSEv1 3 t/x 5 hello".utf8))
    }

    @Test func anAlteredPayloadOrTypeOrSignatureFails() throws {
        let envelope = Envelope.sign(type: type, payload: payload, key: key)
        var altered = envelope
        var bytes = payload
        bytes[bytes.count - 2] = UInt8(ascii: "2")
        altered.payload = Data(bytes).base64EncodedString()
        #expect(altered.verifiedPayload(key: key.publicKey) == nil)
        var retyped = envelope
        retyped.payloadType = EnvelopeHeader.payloadType(kind: "final-report")
        #expect(retyped.verifiedPayload(key: key.publicKey) == nil)
        var garbled = envelope
        garbled.signatures[0].sig = "AAAA"
        #expect(garbled.verifiedPayload(key: key.publicKey) == nil)
        var unbase64 = envelope
        unbase64.payload = "%%%"
        #expect(unbase64.verifiedPayload(key: key.publicKey) == nil)
    }

    private func entry(_ seq: Int64, _ kind: String, minute: Int64, size: Int = 1000) -> OutboxThinning.Entry {
        OutboxThinning.Entry(seq: seq, kind: kind, createdUsec: minute * 60_000_000, size: size)
    }

    @Test func nothingIsThinnedWithinTheBound() {
        let entries = (1...10).map { entry($0, "heartbeat", minute: $0) }
        #expect(OutboxThinning.heartbeatsToThin(entries, bound: 10_000, stubSize: 100).isEmpty)
    }

    @Test func oldHeartbeatsGoFirstKeepingTheNewestAndOnePerHour() {
        // Two hours of heartbeats, one a minute, with events among them.
        var entries: [OutboxThinning.Entry] = []
        for minute in Int64(0)..<120 {
            entries.append(entry(Int64(entries.count + 1), minute % 10 == 5 ? "events" : "heartbeat", minute: minute))
        }
        let thinned = OutboxThinning.heartbeatsToThin(entries, bound: 0, stubSize: 100)
        let kinds = Dictionary(uniqueKeysWithValues: entries.map { ($0.seq, $0) })
        #expect(thinned.allSatisfy { kinds[$0]?.kind == "heartbeat" }, "events are never thinned")
        #expect(!thinned.contains(1) && !thinned.contains(61), "the first heartbeat of each hour stays")
        #expect(!thinned.contains(120), "the newest heartbeat stays")
        #expect(thinned == thinned.sorted(), "oldest first")
        #expect(thinned.count == 120 - 12 - 3)
    }

    @Test func thinningStopsOnceTheOutboxFits() {
        let entries = (1...10).map { entry($0, "heartbeat", minute: $0) }
        // 10,000 bytes; each stub saves 900: two stubs bring it to 8,200.
        #expect(OutboxThinning.heartbeatsToThin(entries, bound: 8_500, stubSize: 100) == [2, 3])
    }
}
