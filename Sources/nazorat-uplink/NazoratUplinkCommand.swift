import ArgumentParser
import Logging
import NazoratConfiguration
import NazoratLinux
import NazoratUplink
import ServiceLifecycle

/// `nazorat-uplink --config FILE`: delivers nazoratd's signed envelopes to central.
@main
struct NazoratUplinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nazorat-uplink",
        abstract: "Deliver nazoratd's signed heartbeats and events to central monitoring.",
        discussion: """
            Reads `socket` and the [uplink] table of nazoratd's configuration file. It holds no
            key and writes nothing but acknowledgements: envelopes leave nazoratd's outbox only
            once central accepted them. Run it as user nazorat-uplink (nazorat-uplink.service).
            """)

    @Option(help: "nazoratd's configuration file.")
    var config = Configuration.defaultPath

    func run() async throws {
        let configuration: Configuration
        do {
            configuration = try Configuration.load(path: config)
        } catch {
            throw ValidationError(error.description)
        }
        guard let settings = configuration.uplink else {
            throw ValidationError("\(config): no [uplink] table: there is nothing to deliver to")
        }
        LoggingSystem.bootstrap { ConsoleLogHandler(label: $0) }
        var logger = Logger(label: "nazorat-uplink")
        logger.logLevel = configuration.logLevel
        let uplink = Uplink(settings: settings, socketPath: configuration.socketPath, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: uplink)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as UplinkConfigurationError {
            logger.critical("\(error)")
            // EX_CONFIG: the unit does not restart it (RestartPreventExitStatus=78) until the file is fixed.
            throw ExitCode(78)
        }
    }
}
