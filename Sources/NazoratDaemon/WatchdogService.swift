import Logging
import NazoratLinux
import ServiceLifecycle
import Synchronization

/// A component the watchdog asks "are you alive?": `answer` returns when it can do work.
struct LivenessProbe: Sendable {
    /// How the component is named in logs and in STATUS=.
    let component: String
    /// Returns once the component ran a trivial piece of work; never returns while it is wedged.
    let answer: @Sendable () async -> Void
}

/// Sends `WATCHDOG=1` only while every component answers, so that systemd restarts a daemon
/// with a wedged part (`WatchdogSec=` in nazoratd.service).
///
/// Every period (half of systemd's timeout) it asks each component that answered the last
/// question a new one; a component whose question is still pending a period later is wedged,
/// and then no WATCHDOG=1 is sent. That this service's own loop runs shows that Swift's
/// executor, which runs every other service, is not starved.
struct WatchdogService: Service {
    let period: Duration
    let probes: [LivenessProbe]
    let logger: Logger

    func run() async throws {
        let pending = PendingQuestions()
        var reported: Set<String> = []
        while !Task.isShuttingDownGracefully {
            for probe in probes where pending.ask(probe.component) {
                Task {
                    await probe.answer()
                    pending.answered(probe.component)
                }
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: period) }
            } catch {
                return
            }
            let wedged = pending.unanswered
            if wedged.isEmpty {
                SystemdNotifier.notify(["WATCHDOG": "1"])
            } else if wedged != reported {
                let names = wedged.sorted().joined(separator: ", ")
                logger.critical("wedged: \(names) did not answer within \(period); WATCHDOG=1 withheld, systemd will restart nazoratd")
                SystemdNotifier.notify(["STATUS": "wedged: \(names)"])
            }
            reported = wedged
        }
    }
}

/// The components asked and not yet answered.
private final class PendingQuestions: Sendable {
    private let names = Mutex(Set<String>())

    /// Marks `component` asked; false when its last question is still pending.
    func ask(_ component: String) -> Bool { names.withLock { $0.insert(component).inserted } }

    func answered(_ component: String) { _ = names.withLock { $0.remove(component) } }

    var unanswered: Set<String> { names.withLock { $0 } }
}
