import NazoratCore

/// `nazoratd verify-log`: recomputes a database's chain and checkpoints offline.
public enum LogVerification {
    /// The outcome, and which key the checkpoints were checked against.
    public struct Report: Sendable {
        /// Intact, or the first problem.
        public var result: Result<ChainVerifier.Summary, ChainVerifier.Failure>
        /// The station the database belongs to.
        public var station: String
        /// The key used: the one given, or the one the database records.
        public var publicKey: String
        /// Whether `publicKey` came from the database itself (weaker: a forger could replace it).
        public var keyFromDatabase: Bool
    }

    /// Verifies the database at `path`, with `publicKey` (base64) when given.
    public static func verify(path: String, publicKey: String?) throws(StoreError) -> Report {
        let store = try StateStore(path: path, readOnly: true)
        guard let station = try store.metadata(.station) else {
            // A first start killed after its schema committed and before it recorded the
            // station leaves an empty log: intact, with nothing to verify. With events but
            // no station, the database is not a Nazorat log (or was tampered with).
            let log = try store.log()
            guard log.events.isEmpty, log.checkpoints.isEmpty else {
                throw .corrupt(path: path, reason: "no station recorded: not a Nazorat database")
            }
            return Report(result: ChainVerifier(station: "", publicKey: publicKey ?? "").verify(events: [], checkpoints: []),
                          station: "(not recorded yet)", publicKey: publicKey ?? "", keyFromDatabase: publicKey == nil)
        }
        let recordedKey = try store.metadata(.publicKey) ?? ""
        let key = publicKey ?? recordedKey
        let log = try store.log()
        let result = ChainVerifier(station: station, publicKey: key).verify(events: log.events, checkpoints: log.checkpoints)
        return Report(result: result, station: station, publicKey: key, keyFromDatabase: publicKey == nil)
    }
}
