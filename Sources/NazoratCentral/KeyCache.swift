import Crypto
import FoundationEssentials
import Synchronization

/// Enrolled keys, parsed once per key (a re-enrolment brings another text), for every batch;
/// and the key each station's envelopes last verified with, so that the next ones can be
/// verified before their transaction (``Receiver``), off the store's one writer.
final class KeyCache: Sendable {
    private let keys = Mutex<[String: Curve25519.Signing.PublicKey]>([:])
    private let lastKeys = Mutex<[String: String]>([:])

    /// The key `station` last verified with here, as text and parsed: a guess, which the
    /// judgement checks against the enrolled key it reads under the station's lock.
    func lastKey(of station: String) -> (text: String, key: Curve25519.Signing.PublicKey)? {
        guard let text = lastKeys.withLock({ $0[station] }), let key = keys.withLock({ $0[text] }) else { return nil }
        return (text, key)
    }

    func remember(_ record: StationRecord) {
        lastKeys.withLock { $0[record.station] = record.publicKey }
    }

    func key(of record: StationRecord) -> Curve25519.Signing.PublicKey? {
        if let key = keys.withLock({ $0[record.publicKey] }) { return key }
        guard let data = Data(base64Encoded: record.publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: data) else { return nil }
        keys.withLock { $0[record.publicKey] = key }
        return key
    }
}
