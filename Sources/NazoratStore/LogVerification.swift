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
        guard let station = try store.metadata("station") else {
            throw .corrupt(path: path, reason: "no station recorded: not a Nazorat database")
        }
        let recordedKey = try store.metadata("public-key") ?? ""
        let key = publicKey ?? recordedKey
        let log = try store.log()
        let result = ChainVerifier(station: station, publicKey: key).verify(events: log.events, checkpoints: log.checkpoints)
        return Report(result: result, station: station, publicKey: key, keyFromDatabase: publicKey == nil)
    }
}
