import Crypto
import FoundationEssentials

/// A signed statement by the station key: "the log had this hash at this seq".
///
/// Written every ``interval`` events, at each seal and at a clean stop. A checkpoint
/// lets a verifier with the station's public key detect a rewritten chain (which an
/// attacker could recompute) and a truncated tail (which a chain alone cannot show).
public struct Checkpoint: Sendable, Hashable {
    /// A checkpoint follows every this many events.
    public static let interval: Int64 = 1000

    /// The seq of the event it covers.
    public var seq: Int64
    /// That event's hash.
    public var hash: String
    /// Ed25519 signature over ``signedBytes(station:seq:hash:)``, base64.
    public var signature: String
    /// The signer's public key, base64 (raw 32 bytes).
    public var publicKey: String

    /// Creates a checkpoint record.
    public init(seq: Int64, hash: String, signature: String, publicKey: String) {
        self.seq = seq
        self.hash = hash
        self.signature = signature
        self.publicKey = publicKey
    }

    /// What is signed: `nazorat-checkpoint-v1`, the station id, seq and hash, length-prefixed
    /// like the event canonical form.
    public static func signedBytes(station: String, seq: Int64, hash: String) -> [UInt8] {
        HashChain.lengthPrefixed(["nazorat-checkpoint-v1", station, String(seq), hash])
    }

    /// Signs the head `seq`/`hash` of `station`'s log.
    public static func sign(station: String, seq: Int64, hash: String, key: Curve25519.Signing.PrivateKey) -> Checkpoint {
        // Ed25519 signing cannot fail for a valid key and message; swift-crypto's signature is
        // `throws` only for its other back ends.
        let signature = (try? key.signature(for: signedBytes(station: station, seq: seq, hash: hash))) ?? Data()
        return Checkpoint(seq: seq, hash: hash, signature: Data(signature).base64EncodedString(),
                          publicKey: key.publicKey.rawRepresentation.base64EncodedString())
    }

    /// Whether the signature is valid for `station` under `publicKey` (base64).
    public func isValid(station: String, publicKey: String) -> Bool {
        guard let keyData = Data(base64Encoded: publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyData),
              let signatureData = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(signatureData, for: Checkpoint.signedBytes(station: station, seq: seq, hash: hash))
    }
}
