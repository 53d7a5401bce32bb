import Crypto
import FoundationEssentials
import Synchronization

/// Enrolled keys, parsed once per key (a re-enrolment brings another text), for every batch.
final class KeyCache: Sendable {
    private let keys = Mutex<[String: Curve25519.Signing.PublicKey]>([:])

    func key(of record: StationRecord) -> Curve25519.Signing.PublicKey? {
        if let key = keys.withLock({ $0[record.publicKey] }) { return key }
        guard let data = Data(base64Encoded: record.publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: data) else { return nil }
        keys.withLock { $0[record.publicKey] = key }
        return key
    }
}
