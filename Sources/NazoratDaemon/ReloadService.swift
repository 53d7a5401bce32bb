import Logging
import NazoratConfiguration
import NazoratCore
import NazoratLinux
import NazoratStore
import ServiceLifecycle
import UnixSignals

/// Reloads the configuration and the policy on SIGHUP, without losing any state.
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
    let enforcer: Enforcer
    let log: EventLog
    let clock: SystemClock

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            SystemdNotifier.notify(["RELOADING": "1"])
            await log.record(StoreBatch(drafts: [reload()]))
            SystemdNotifier.notify(["READY": "1"])
        }
    }

    private func reload() -> EventDraft {
        let time = clock.now()
        do {
            let configuration = try Configuration.load(path: configurationPath)
            guard configuration.station == running.station, configuration.stateDirectory == running.stateDirectory,
                  configuration.socketPath == running.socketPath, configuration.uplink == running.uplink else {
                return refused("station, state-dir, socket and [uplink] cannot change without a restart", time: time)
            }
            let policy = try PolicyFile.load(configuration.policy)
            enforcer.replace(mode: configuration.mode, policy: policy)
            return EventDraft(
                type: "config.reloaded", severity: .notice, subject: "daemon",
                message: "configuration reloaded: \(configuration.mode.rawValue) mode, \(policy.rules.count) rules "
                    + "from \(configuration.policy.rulesPath), implicit \(policy.implicit.rawValue)",
                payload: JSONText.encode(["mode": configuration.mode.rawValue, "rules": configuration.policy.rulesPath,
                                          "implicit": policy.implicit.rawValue]),
                time: time)
        } catch let error as ConfigurationError {
            return refused(error.description, time: time)
        } catch let error as PolicyFile.LoadError {
            return refused(error.description, time: time)
        } catch {
            return refused("\(error)", time: time)
        }
    }

    private func refused(_ reason: String, time: EventTime) -> EventDraft {
        EventDraft(type: "config.reload-refused", severity: .error, subject: "daemon",
                   message: "reload refused, the previous configuration stays in force: \(reason)",
                   payload: JSONText.encode(["reason": reason]), time: time)
    }
}
