import ArgumentParser
import NazoratCore
import NazoratDaemon
import NazoratLinux

/// The formats the audit exports take.
enum AuditFormat: String, ExpressibleByArgument {
    /// systemd's journal catalog (`catalog` only).
    case journal
    /// NIST SP 1500-101, the election event logging common data format (JSON).
    case cdf
}

extension Nazoratd {
    struct ExportLog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-log",
            abstract: "Write a database's event log as an election event log (NIST SP 1500-101, JSON) on stdout, offline.",
            discussion: "For a copied station database; on a running station `nazoratctl export-log` does the same "
                + "through nazoratd. docs/cdf-export.md maps each field and says how to recompute the chain.")

        @Option(help: "The database, e.g. a copy of /var/lib/nazorat/state.db.")
        var db: String

        @Option(help: "The format: cdf.")
        var format: AuditFormat = .cdf

        @Option(help: "Only the events after this seq.")
        var after: Int64 = 0

        func validate() throws {
            guard format == .cdf else { throw ValidationError("export-log writes --format cdf only") }
            guard after >= 0 else { throw ValidationError("--after must be a seq, 0 or more") }
        }

        func run() throws {
            let count = try LogExportCommand.run(path: db, after: after, now: SystemClock().now().realtimeUSec)
            printToStandardError("\(db): \(count) events exported")
        }
    }
}
