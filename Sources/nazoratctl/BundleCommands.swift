import ArgumentParser
import NazoratClient
import NazoratCore

// export-bundle: the outbox carried by hand where the station has no network.

struct ExportBundle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-bundle",
        abstract: "Write every envelope central has not acknowledged, with a signed manifest, to a directory (an export medium).",
        discussion: "Needs group nazorat-admin; the export is recorded in the log. Carry the directory to central, where "
            + "`nazorat-central import DIR` applies it exactly as if it had arrived online. Exporting acknowledges "
            + "nothing: the uplink still delivers the same envelopes if the network comes back, and central keeps one copy.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "A new or empty directory, e.g. on the commissioned export stick.")
    var directory: String

    func run() async throws {
        let session = options.session
        switch await session.fetch(.POST, "/v1/outbox/bundle", as: OfflineBundle.Contents.self) {
        case .failure(let exit):
            try finish(exit.status)
        case .success(let (contents, _)):
            do {
                try BundleWriter.write(contents, to: directory)
            } catch {
                ClientSession.printError("nazoratctl: \(error)")
                try finish(1)
            }
            let files = contents.files
            let range = files.isEmpty ? "no envelopes (central has them all)"
                : "envelopes \(files[0].name)…\(files[files.count - 1].name) (\(files.count))"
            print("\(Terminal.safe(directory)): \(range) and \(OfflineBundle.manifestName); "
                  + "at central: nazorat-central import --state-dir DIR \(Terminal.safe(directory))")
        }
    }
}
