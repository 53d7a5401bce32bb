import Logging
import NazoratLinux
import ServiceLifecycle

/// The daemon in the foreground: systemd style, no fork, no pid file.
public enum Daemon {
    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public static func run(configuration: Configuration, logger: Logger) async throws {
        logger.notice("nazoratd starting", metadata: [
            "station": "\(configuration.station)", "mode": "\(configuration.mode.rawValue)",
            "state-dir": "\(configuration.stateDirectory)", "socket": "\(configuration.socketPath)",
        ])
        let watch = DeviceWatchService(logger: logger) { count in
            SystemdNotifier.notify("READY=1\nSTATUS=\(count) USB devices present")
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: watch, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        SystemdNotifier.notify("STOPPING=1")
        logger.notice("nazoratd stopped")
    }
}
