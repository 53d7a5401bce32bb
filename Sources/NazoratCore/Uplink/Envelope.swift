import Crypto
import FoundationEssentials

/// A signed message for central monitoring, DSSE-style (https://github.com/secure-systems-lab/dsse):
/// the payload bytes, their type, and an Ed25519 signature by the station key over the
/// pre-authentication encoding `DSSEv1 <len> <type> <len> <payload>`, so that neither the
/// type nor the bytes can be swapped without breaking the signature.
public struct Envelope: Codable, Sendable, Equatable {
    /// One signature.
    public struct Signature: Codable, Sendable, Equatable {
        /// The signing key's id: ``Envelope/keyID(of:)``.
        public var keyid: String
        /// The Ed25519 signature, base64.
        public var sig: String

        public init(keyid: String, sig: String) {
            self.keyid = keyid
            self.sig = sig
        }
    }

    /// The payload's media type, e.g. `application/vnd.nazorat.heartbeat+json`.
    public var payloadType: String
    /// The payload bytes, base64.
    public var payload: String
    /// The signatures (nazoratd makes one).
    public var signatures: [Signature]

    public init(payloadType: String, payload: String, signatures: [Signature]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// DSSE's pre-authentication encoding.
    public static func preAuthenticationEncoding(type: String, payload: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(type.utf8.count) \(type) \(payload.count) ".utf8) + payload
    }

    /// A key's id: the first 16 bytes of SHA-256 of its raw public key, in hex.
    public static func keyID(of key: Curve25519.Signing.PublicKey) -> String {
        Hex.string(SHA256.hash(data: key.rawRepresentation).prefix(16))
    }

    /// The id of a public key as the tools print it (base64 of 32 bytes); nil if it is not one.
    public static func keyID(ofPublicKeyText text: String) -> String? {
        Data(base64Encoded: text).flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }.map(keyID(of:))
    }

    /// `payload` of `type`, signed with `key`.
    public static func sign(type: String, payload: [UInt8], key: Curve25519.Signing.PrivateKey) -> Envelope {
        // Ed25519 signing cannot fail for a valid key; swift-crypto's `throws` is for other back ends.
        let signature = (try? key.signature(for: preAuthenticationEncoding(type: type, payload: payload))) ?? Data()
        return Envelope(payloadType: type, payload: Data(payload).base64EncodedString(),
                        signatures: [Signature(keyid: keyID(of: key.publicKey), sig: Data(signature).base64EncodedString())])
    }

    /// The payload bytes if a signature by `key` is valid for them and the type; nil otherwise.
    public func verifiedPayload(key: Curve25519.Signing.PublicKey) -> [UInt8]? {
        guard let bytes = Data(base64Encoded: payload) else { return nil }
        return isSigned(Array(bytes), by: key) ? Array(bytes) : nil
    }

    /// Whether a signature by `key` is valid for `bytes` (this envelope's payload, decoded
    /// once by the caller) and the type.
    public func isSigned(_ bytes: [UInt8], by key: Curve25519.Signing.PublicKey) -> Bool {
        let message = Self.preAuthenticationEncoding(type: payloadType, payload: bytes)
        let id = Self.keyID(of: key)
        return signatures.contains { signature in
            signature.keyid == id && Data(base64Encoded: signature.sig).map { key.isValidSignature($0, for: message) } == true
        }
    }
}

/// What an envelope's payload always carries, whatever its kind.
public struct EnvelopeHeader: Codable, Sendable, Equatable {
    /// The station id.
    public var station: String
    /// The envelope sequence number: from 1, without gaps.
    public var seq: Int64
    /// `heartbeat`, `events`, `zero-report`, `closing-report`, `final-report` or `thinned`.
    public var kind: String
    /// The station's wall clock when it was made, µs since the epoch (central judges
    /// freshness by its own clock; this is for the skew).
    public var createdUsec: Int64

    public init(station: String, seq: Int64, kind: String, createdUsec: Int64) {
        self.station = station
        self.seq = seq
        self.kind = kind
        self.createdUsec = createdUsec
    }

    /// The media type of an envelope of `kind`.
    public static func payloadType(kind: String) -> String { "application/vnd.nazorat.\(kind)+json" }
}
