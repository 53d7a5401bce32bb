import ArgumentParser
import Foundation
import Logging
import NazoratConfiguration
import NazoratCore
import NazoratDaemon
import NazoratLinux

/// `nazoratd`: the equipment-supervision daemon and its offline tools.
@main
struct Nazoratd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nazoratd",
        abstract: "Supervises the USB equipment of a polling station.",
        subcommands: [Run.self, Devices.self, GeneratePolicy.self, Seal.self, Key.self, VerifyLog.self, ExportLog.self, Catalog.self],
        defaultSubcommand: Run.self)
}

extension Nazoratd {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon in the foreground (systemd style: no fork, no pid file).")

        @Option(name: .long, help: "The configuration file.")
        var config: String = NazoratConfiguration.Configuration.defaultPath

        @Option(name: .long, help: ArgumentHelp("Validate this configuration file and exit.", valueName: "file"))
        var checkConfig: String?

        @Option(name: .long, help: "Where the log goes: journal, stderr, or auto (the journal when systemd started us).")
        var logTarget: LogTarget = .auto

        @Option(name: .long, help: "How stderr lines are written: text (for people) or json (one object per line, every field).")
        var logFormat: ConsoleLogHandler.Format = .text

        func run() async throws {
            if let checkConfig {
                let (_, policy) = try Self.loadWithPolicy(checkConfig)
                print("\(checkConfig): configuration is valid; \(policy.rules.count) rules, implicit \(policy.implicit.rawValue)")
                return
            }
            let (configuration, policy) = try Self.loadWithPolicy(config)
            let level = configuration.logLevel
            let journal = logTarget == .journal
                || (logTarget == .auto && ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil)
            LoggingSystem.bootstrap { label in
                if journal {
                    var handler = JournalLogHandler(identifier: "nazoratd", label: label)
                    handler.logLevel = level
                    return handler
                }
                var handler = ConsoleLogHandler(label: label, format: logFormat)
                handler.logLevel = level
                return handler
            }
            try await Daemon.run(configurationPath: config, configuration: configuration, policy: policy,
                                 logger: Logger(label: "nazoratd"))
        }

        static func load(_ path: String) throws -> NazoratConfiguration.Configuration {
            do {
                return try NazoratConfiguration.Configuration.load(path: path)
            } catch {
                throw ValidationFailure(message: error.description)
            }
        }

        /// The configuration and its policy: both must be valid for the daemon to start.
        static func loadWithPolicy(_ path: String) throws -> (NazoratConfiguration.Configuration, Policy) {
            let configuration = try load(path)
            do {
                return (configuration, try PolicyFile.load(configuration.policy))
            } catch {
                throw ValidationFailure(message: error.description)
            }
        }
    }

    struct Devices: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the present USB devices once and print them (no daemon, no socket).")

        @Flag(help: "Print a JSON array, one object per usb_device.")
        var json = false

        func run() throws {
            let listing = try DeviceListing.render(json: json)
            listing.warnings.forEach { printToStandardError($0) }
            print(listing.output)
        }
    }
}

extension Nazoratd {
    struct GeneratePolicy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate-policy",
            abstract: "Print a rule file that allows the present devices, one rule per device.",
            discussion: "USBGuard's rule language, with hash and parent-hash, roles guessed from interface classes and udev hints in the label.")

        @Flag(name: .customLong("via-port"), help: "Add via-port to every rule (by default only to devices without a serial).")
        var viaPort = false

        func run() throws {
            let listing = try PolicyGenerator.generate(viaPort: viaPort)
            listing.warnings.forEach { printToStandardError($0) }
            print(listing.output, terminator: "")
        }
    }

    struct Seal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal the present devices as the commissioned inventory (offline: nazoratd must be stopped).")

        @Option(name: .long, help: "The configuration file.")
        var config: String = NazoratConfiguration.Configuration.defaultPath

        func run() async throws {
            let (configuration, policy) = try Run.loadWithPolicy(config)
            print(try await Sealing.seal(configuration: configuration, policy: policy))
        }
    }

    struct Catalog: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the event catalog: the journal's (installed as systemd/nazorat.catalog), or the "
                + "election event log documentation (--format cdf, NIST SP 1500-101).")

        @Option(help: "journal or cdf.")
        var format: AuditFormat = .journal

        func run() {
            switch format {
            case .journal: print(EventCatalog.render(), terminator: "")
            case .cdf: StandardStream.output.write(CDFDocumentation.render(version: Daemon.version,
                                                                          generatedMicroseconds: SystemClock().now().realtimeUSec))
            }
        }
    }

    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the station's public key (base64), creating the key on first use.")

        @Option(name: .long, help: "The configuration file (for state-dir).")
        var config: String = NazoratConfiguration.Configuration.defaultPath

        func run() throws {
            let configuration = try Run.load(config)
            print(try StationKeyCommand.publicKey(stateDirectory: configuration.stateDirectory))
        }
    }

    struct VerifyLog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-log",
            abstract: "Recompute the event log's hash chain and checkpoints offline.",
            discussion: "Exit status 0 and a one-line summary when intact; 1 and the first bad seq otherwise.")

        @Option(help: "The database, e.g. /var/lib/nazorat/state.db.")
        var db: String

        @Option(help: "The station's public key (base64), as `nazoratd key` printed it.")
        var key: String?

        func run() throws {
            let outcome = try LogCheck.run(path: db, publicKey: key, progress: ProgressLine())
            print(outcome.text)
            outcome.note.map(printToStandardError)
            if !outcome.intact { throw ExitCode(1) }
        }
    }
}

extension ConsoleLogHandler.Format: ExpressibleByArgument {}

/// `--log-target`.
enum LogTarget: String, ExpressibleByArgument {
    case auto, journal, stderr
}

/// A configuration error, printed as `file:line:column: message` with exit status 1.
struct ValidationFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

func printToStandardError(_ line: String) {
    StandardStream.error.write(line + "\n")
}
