import Crypto
import NazoratCore

/// The station key at work: the one thing that signs for the station. nazoratd alone holds
/// it; the event log signs its checkpoints with it and the outbox its envelopes, so that the
/// uplink and central can check everything and forge nothing.
public struct StationSigner: Sendable {
    /// The station the signatures speak for.
    public let station: String
    private let key: Curve25519.Signing.PrivateKey

    /// A signer for `station` with `key`.
    public init(station: String, key: Curve25519.Signing.PrivateKey) {
        self.station = station
        self.key = key
    }

    /// The public key as the tools print and central enrolls it (base64 of 32 bytes).
    public var publicKeyText: String { StationKey.publicKeyText(key) }

    /// A checkpoint over the log's head `seq`/`hash`.
    public func checkpoint(seq: Int64, hash: String) -> Checkpoint {
        Checkpoint.sign(station: station, seq: seq, hash: hash, key: key)
    }

    /// The signed envelope of `payload`, of `kind`, as the JSON text the outbox stores.
    public func envelope<Payload: Encodable>(kind: String, _ payload: Payload) -> String {
        let bytes = Array(JSONText.encode(payload).utf8)
        return JSONText.encode(Envelope.sign(type: EnvelopeHeader.payloadType(kind: kind), payload: bytes, key: key))
    }
}
