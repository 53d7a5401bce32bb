import NazoratLinux
import NazoratSigning
import NazoratStore

/// `nazoratd key`: the station's public key, created with the state directory if needed.
public enum StationKeyCommand {
    /// The public key in base64.
    public static func publicKey(stateDirectory: String) throws -> String {
        try StateDirectory.ensureDirectory(stateDirectory)
        return StationKey.publicKeyText(try StationKey.loadOrCreate(directory: stateDirectory))
    }
}

/// `nazoratd verify-log`: the verification outcome as one or two lines of text.
public enum LogCheck {
    /// The one-line verdict (for stdout), a note on the key used (for stderr), and whether the
    /// log is intact; `progress` shows how far the walk is (nazoratd verify-log on a terminal).
    public static func run(path: String, publicKey: String?,
                           progress: ProgressLine = ProgressLine(enabled: false)) throws -> (text: String, note: String?, intact: Bool) {
        let report = try LogVerification.verify(path: path, publicKey: publicKey) { seq, last in
            progress.show("verifying \(path): event \(seq) of \(last) (\(last > 0 ? seq * 100 / last : 100)%)")
        }
        progress.clear()
        let note = report.keyFromDatabase
            ? "note: checkpoints were checked against the key recorded in the database; "
                + "pass --key with the station's known public key to detect a re-signed log"
            : nil
        switch report.result {
        case .success(let summary):
            return ("\(path): station \(report.station): \(summary)", note, true)
        case .failure(let failure):
            return ("\(path): station \(report.station): \(failure)", note, false)
        }
    }
}

/// `nazoratd export-log --db PATH`: a database's log (a station's, or a copy) as a CDF
/// `ElectionEventLog` document, written in chunks as it is read.
public enum LogExportCommand {
    /// Writes the events after `after` to `output`; returns how many were exported.
    public static func run(path: String, after: Int64, now: Int64, output: StandardStream = .output,
                           progress: ProgressLine = ProgressLine()) throws -> Int {
        var export = try LogExport(store: try StateStore(path: path, readOnly: true), after: after, now: now)
        while let chunk = try export.next() {
            output.write(chunk)
            let done = export.exportedThrough
            progress.show("exporting \(path): event \(done) of \(export.end) (\(export.end > 0 ? done * 100 / export.end : 100)%)")
        }
        progress.clear()
        return export.exported
    }
}
