import NazoratCore
import NazoratLinux
import NazoratSigning

/// Opens the state directory: the database (checked, or moved aside when damaged) and the key.
public enum StateDirectory {
    /// The database's file name inside the state directory.
    public static let databaseName = "state.db"

    /// What was found damaged at start, and where it went.
    public struct Quarantine: Sendable, Equatable {
        /// Where the damaged database was moved.
        public var movedTo: String
        /// Why it was not reused.
        public var reason: String
        /// The last event of the old chain that still verified, if any.
        public var lastVerifiedSeq: Int64?
        /// Its hash.
        public var lastVerifiedHash: String?
    }

    /// An opened state directory.
    public struct Opened: Sendable {
        /// The database, verified and ready.
        public var store: StateStore
        /// The station key, as the signer of checkpoints and envelopes.
        public var signer: StationSigner
        /// Set when a damaged database was moved aside and a new chain starts.
        public var quarantine: Quarantine?
    }

    /// Opens `directory` for `station` (creating it with mode 0700), verifies the
    /// database (SQLite's quick check and the whole chain) and moves a damaged one aside:
    /// a damaged database is never reused nor overwritten.
    public static func open(directory: String, station: String, now: EventTime) throws(StoreError) -> Opened {
        try ensureDirectory(directory)
        let signer: StationSigner
        do {
            signer = StationSigner(station: station, key: try StationKey.loadOrCreate(directory: directory))
        } catch {
            throw .key(error)
        }
        let path = directory + "/" + databaseName
        let publicKey = signer.publicKeyText
        var quarantine: Quarantine?
        if let problem = try damage(path: path, station: station, publicKey: publicKey) {
            quarantine = try moveAside(path: path, reason: problem, station: station, publicKey: publicKey, now: now)
        }
        let store = try StateStore(path: path)
        let stored = try store.initializeMetadata([.station: station, .publicKey: publicKey])
        guard stored[.station] == station else {
            throw .wrongStation(path: path, recorded: stored[.station] ?? "?", configured: station)
        }
        return Opened(store: store, signer: signer, quarantine: quarantine)
    }

    /// Creates `directory` with mode 0700 unless it exists.
    public static func ensureDirectory(_ directory: String) throws(StoreError) {
        do {
            try SystemFile.makeDirectory(directory, permissions: 0o700)
        } catch {
            throw .file(error)
        }
    }

    /// Why the database at `path` must not be reused, or nil when it is sound (or absent).
    private static func damage(path: String, station: String, publicKey: String) throws(StoreError) -> String? {
        guard SystemFile.exists(path) else { return nil }
        do throws(StoreError) {
            // Read-only: checking must not change the file (a writable close would checkpoint the WAL into it).
            let store = try StateStore(path: path, readOnly: true)
            let complaints = try store.quickCheck()
            if !complaints.isEmpty { return "SQLite quick_check: " + complaints.prefix(3).joined(separator: "; ") }
            // A first start killed before its schema was committed leaves a database without
            // tables: nothing was ever recorded in it, so it is a fresh one (like a missing file).
            if try store.isEmpty() { return nil }
            if let recorded = try store.metadata(.station), recorded != station {
                throw StoreError.wrongStation(path: path, recorded: recorded, configured: station)
            }
            let key = try store.metadata(.publicKey) ?? publicKey
            if try tailIsIntact(store, station: station, publicKey: key) { return nil }
            // Something is wrong: the whole log says what (a damaged log is rare).
            let log = try store.log()
            if case .failure(let failure) = ChainVerifier(station: station, publicKey: key)
                .verify(events: log.events, checkpoints: log.checkpoints) {
                return "the event log does not verify: \(failure)"
            }
            return nil
        } catch {
            if case .corrupt(_, let reason) = error { return reason }
            throw error
        }
    }

    /// Whether the log holds from its last signed checkpoint to its head: the checkpoint is
    /// signed by `publicKey`, its event is still there with its hash, and every event after it
    /// extends the chain. So a start reads the events of the last 1,000 or so, not the year's;
    /// the events before the checkpoint are on its signature's word (`verify-log` checks all).
    private static func tailIsIntact(_ store: StateStore, station: String, publicKey: String) throws(StoreError) -> Bool {
        let checkpoint = try store.lastCheckpoint()
        var walk = ChainWalk(station: station)
        if let checkpoint {
            guard checkpoint.publicKey == publicKey, checkpoint.isValid(station: station, publicKey: publicKey) else {
                return false
            }
            walk = ChainWalk(station: station, resumingAt: checkpoint)
        }
        var intact = true
        try store.forEachEvent(from: checkpoint?.seq ?? 1) { event in
            intact = walk.extend(with: event)
            return intact
        }
        return intact && walk.reachedItsCheckpoint
    }

    private static func moveAside(path: String, reason: String, station: String, publicKey: String,
                                  now: EventTime) throws(StoreError) -> Quarantine {
        let head = lastVerifiedHead(path: path, station: station, publicKey: publicKey)
        let target = path + ".damaged-\(now.realtimeUSec / 1_000_000)"
        for suffix in ["", "-wal", "-shm"] where SystemFile.exists(path + suffix) {
            do {
                try SystemFile.move(path + suffix, to: target + suffix)
            } catch {
                throw .file(error)
            }
        }
        return Quarantine(movedTo: target, reason: reason, lastVerifiedSeq: head?.seq, lastVerifiedHash: head?.hash)
    }

    /// The last event of a damaged log that still verifies from the genesis.
    private static func lastVerifiedHead(path: String, station: String, publicKey: String) -> (seq: Int64, hash: String)? {
        guard let store = try? StateStore(path: path, readOnly: true), let log = try? store.log() else { return nil }
        let verifier = ChainVerifier(station: station, publicKey: publicKey)
        switch verifier.verify(events: log.events, checkpoints: []) {
        case .success(let summary):
            return summary.head
        case .failure(let failure):
            let good = log.events.prefix { $0.seq < failure.seq }
            return good.last.map { ($0.seq, $0.hash) }
        }
    }
}
