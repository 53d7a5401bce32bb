import Crypto
import FoundationEssentials
import NazoratLinux

/// The station's Ed25519 signing key, `state-dir/station.key` (32 raw bytes, mode 0600).
///
/// Created on first start exclusively (`O_EXCL`), so two starting daemons cannot both
/// create one. A key file that others can read is refused rather than used.
public enum StationKey {
    /// The key file's name inside the state directory.
    public static let fileName = "station.key"

    /// Loads the key in `directory`, creating it if there is none.
    public static func loadOrCreate(directory: String) throws(StationKeyError) -> Curve25519.Signing.PrivateKey {
        let path = directory + "/" + fileName
        if let key = try load(path: path) { return key }
        let key = Curve25519.Signing.PrivateKey()
        do {
            if try SystemFile.createExclusive(path, Array(key.rawRepresentation), permissions: 0o600) { return key }
        } catch {
            throw .file(error)
        }
        // Another process created it first: use that one.
        guard let existing = try load(path: path) else { throw .unusable(path: path, reason: "it vanished while being created") }
        return existing
    }

    /// Loads an existing key; `nil` when the file does not exist.
    public static func load(path: String) throws(StationKeyError) -> Curve25519.Signing.PrivateKey? {
        let file: (bytes: [UInt8], permissions: UInt16)?
        do {
            file = try SystemFile.readPrivate(path, limit: 64)
        } catch {
            throw .file(error)
        }
        guard let file else { return nil }
        guard file.permissions & 0o077 == 0 else {
            throw .unusable(path: path, reason: "mode \(String(file.permissions & 0o777, radix: 8)) lets others read it; expected 600")
        }
        guard file.bytes.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: file.bytes) else {
            throw .unusable(path: path, reason: "expected 32 bytes, found \(file.bytes.count)")
        }
        return key
    }

    /// The public key as the tools print and take it: base64 of its 32 raw bytes.
    public static func publicKeyText(_ key: Curve25519.Signing.PrivateKey) -> String {
        key.publicKey.rawRepresentation.base64EncodedString()
    }
}

/// Why the station key could not be used.
public enum StationKeyError: Error, Sendable, CustomStringConvertible {
    /// The key file could not be read or created.
    case file(FileError)
    /// The key file is malformed or others may read it.
    case unusable(path: String, reason: String)

    public var description: String {
        switch self {
        case .file(let error): "station key \(error)"
        case .unusable(let path, let reason): "station key \(path): \(reason)"
        }
    }
}
