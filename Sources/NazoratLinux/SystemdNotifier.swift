import CSystemd

/// Tells the service manager about the daemon's state (`sd_notify`).
///
/// Without `NOTIFY_SOCKET` (started by hand, or in tests) every call does nothing.
public enum SystemdNotifier {
    /// Sends `state` (e.g. `READY=1\nSTATUS=...`). Returns false when the manager could not be told.
    @discardableResult
    public static func notify(_ state: String) -> Bool {
        sd_notify(0, state) >= 0
    }
}
