import CSystemd

/// Tells the service manager about the daemon's state (`sd_notify`).
///
/// Without `NOTIFY_SOCKET` (started by hand, or in tests) every call does nothing.
public enum SystemdNotifier {
    /// Sends the assignments in `state`, in the order given (e.g. `["READY": "1", "STATUS": "..."]`).
    /// A value cannot span lines in the protocol, so line breaks in it become spaces.
    /// Returns false when the manager could not be told.
    @discardableResult
    public static func notify(_ state: KeyValuePairs<String, String>) -> Bool {
        let message = state.map { key, value in
            key + "=" + String(value.map { $0.isNewline ? " " : $0 })
        }.joined(separator: "\n")
        return sd_notify(0, message) >= 0
    }

    /// The interval at which systemd expects `WATCHDOG=1` (its `WatchdogSec=`), nil when it
    /// expects none or the watchdog is meant for another process.
    public static func watchdogTimeout() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }
}
