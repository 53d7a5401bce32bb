import Crypto
import FoundationEssentials
import Glibc

/// The station's Ed25519 signing key, `state-dir/station.key` (32 raw bytes, mode 0600).
///
/// Created on first start with `O_EXCL`, so two starting daemons cannot both create one.
/// A key file that others can read is refused rather than used.
public enum StationKey {
    /// The key file's name inside the state directory.
    public static let fileName = "station.key"

    /// Loads the key in `directory`, creating it if there is none.
    public static func loadOrCreate(directory: String) throws(StoreError) -> Curve25519.Signing.PrivateKey {
        let path = directory + "/" + fileName
        if let key = try load(path: path) { return key }
        let key = Curve25519.Signing.PrivateKey()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST, let key = try load(path: path) { return key }
            throw .file(path: path, errno: errno)
        }
        defer { close(fd) }
        let bytes = Array(key.rawRepresentation)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            let error = errno
            unlink(path)
            throw .file(path: path, errno: error)
        }
        return key
    }

    /// Loads an existing key; `nil` when the file does not exist.
    public static func load(path: String) throws(StoreError) -> Curve25519.Signing.PrivateKey? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .file(path: path, errno: errno)
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .file(path: path, errno: errno) }
        guard status.st_mode & 0o077 == 0 else {
            throw .key(path: path, reason: "mode \(String(status.st_mode & 0o777, radix: 8)) lets others read it; expected 600")
        }
        var bytes = [UInt8](repeating: 0, count: 33)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, 33) }
        guard count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes.prefix(32)) else {
            throw .key(path: path, reason: "expected 32 bytes, found \(max(count, 0))")
        }
        return key
    }

    /// The public key as the tools print and take it: base64 of its 32 raw bytes.
    public static func publicKeyText(_ key: Curve25519.Signing.PrivateKey) -> String {
        key.publicKey.rawRepresentation.base64EncodedString()
    }
}
