import Crypto

/// The journal MESSAGE_ID of each event type: stable, derived from the type's name, so that
/// `journalctl MESSAGE_ID=...` and the catalog (`systemd/nazorat.catalog`) find every
/// event of a type across versions and stations.
public enum MessageID {
    /// 32 lower-case hex digits: the first 128 bits of SHA-256("nazorat-message-id:" + type).
    public static func forType(_ type: String) -> String {
        Hex.string(SHA256.hash(data: Array("nazorat-message-id:\(type)".utf8)).prefix(16))
    }
}
