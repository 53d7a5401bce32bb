import NazoratConfiguration
import NazoratLinux
import ServiceLifecycle
import UnixSignals

/// Asks the supervisor to reload the configuration and the policy on SIGHUP, without
/// losing any state (Supervisor+Policy.swift does it).
///
/// A new mode and policy apply to the decisions that follow (as in USBGuard, devices
/// already decided keep their state until they change or the daemon restarts). A bad
/// file is refused, the old configuration stays in force, and the refusal is an event.
/// `station`, `state-dir`, `socket` and `[uplink]` cannot change without a restart: such a
/// reload is refused too.
struct ReloadService: Service {
    /// SIGHUP, trapped before the daemon reports ready (an untrapped SIGHUP would kill it).
    let hangups: UnixSignalsSequence
    let configurationPath: String
    let running: Configuration
    let supervisor: Supervisor

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            SystemdNotifier.notify(["RELOADING": "1"])
            await supervisor.reload(configurationAt: configurationPath, running: running)
            SystemdNotifier.notify(["READY": "1"])
        }
    }
}
