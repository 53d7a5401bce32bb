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

    /// Verifies the database at `path`, with `publicKey` (base64) when given. The events are
    /// read one at a time (memory does not grow with the log); `progress` hears the seq reached
    /// and the last seq at the first event and every 10,000 after.
    public static func verify(path: String, publicKey: String?,
                              progress: ((_ seq: Int64, _ last: Int64) -> Void)? = nil) throws(StoreError) -> Report {
        // Without a way to stop, the walk always ends with a report.
        try verify(path: path, publicKey: publicKey, progress: progress, shouldStop: { false })!
    }

    /// As above, except that the walk ends early, with nil, once `shouldStop` says so (the
    /// daemon's audit, at shutdown).
    public static func verify(path: String, publicKey: String?, progress: ((_ seq: Int64, _ last: Int64) -> Void)? = nil,
                              shouldStop: () -> Bool) throws(StoreError) -> Report? {
        let store = try StateStore(path: path, readOnly: true)
        guard let station = try store.metadata(.station) else {
            // A first start killed after its schema committed and before it recorded the
            // station leaves an empty log: intact, with nothing to verify. With events but
            // no station, the database is not a Nazorat log (or was tampered with).
            guard try store.head() == nil, try store.checkpoints().isEmpty else {
                throw .corrupt(path: path, reason: "no station recorded: not a Nazorat database")
            }
            return Report(result: ChainVerifier(station: "", publicKey: publicKey ?? "").verify(events: [], checkpoints: []),
                          station: "(not recorded yet)", publicKey: publicKey ?? "", keyFromDatabase: publicKey == nil)
        }
        let recordedKey = try store.metadata(.publicKey) ?? ""
        let key = publicKey ?? recordedKey
        let last = try store.head()?.seq ?? 0
        var stopped = false
        let result = try ChainVerifier(station: station, publicKey: key).verify(
            checkpoints: try store.checkpoints(),
            walk: { (body: (Event) -> Bool) throws(StoreError) in
                try store.forEachEvent { event in
                    if event.seq % 10_000 == 0 || event.seq == 1 {
                        progress?(event.seq, last)
                        stopped = shouldStop()
                    }
                    return !stopped && body(event)
                }
            },
            whole: { () throws(StoreError) in stopped ? [] : try store.log().events })
        if stopped { return nil }
        return Report(result: result, station: station, publicKey: key, keyFromDatabase: publicKey == nil)
    }
}
