/// Walks a log one event at a time, holding only the head it reached: whether a log of any
/// length is intact, in memory that does not grow with it.
///
/// It only tells where the chain first stops holding; ``ChainVerifier`` names the kind of
/// change that explains it, which needs the other rows (a damaged log is rare, and its
/// diagnosis may read it whole).
public struct ChainWalk: Sendable {
    /// The last event that extended the chain.
    public private(set) var head: (seq: Int64, hash: String)?
    /// How many events extended it.
    public private(set) var events: Int64 = 0
    private let station: String
    /// The signed head the walk resumes from: its event must come first, unchanged.
    private var resuming: Checkpoint?

    /// A walk from the genesis of `station`'s log.
    public init(station: String) {
        self.station = station
    }

    /// A walk that resumes at `checkpoint` (whose signature the caller checked): the first
    /// event must be the one it covers, with that hash, and hash consistently; the events
    /// before it are taken on the checkpoint's word (start-up: verify-log checks them all).
    public init(station: String, resumingAt checkpoint: Checkpoint) {
        self.station = station
        self.resuming = checkpoint
    }

    /// Takes the next event; false when it does not extend the chain.
    public mutating func extend(with event: Event) -> Bool {
        let recomputed = HashChain.hash(seq: event.seq, draft: event.draft, prevHash: event.prevHash)
        if let checkpoint = resuming {
            guard event.seq == checkpoint.seq, event.hash == checkpoint.hash, recomputed == event.hash else { return false }
            resuming = nil
        } else {
            guard event.seq == (head?.seq ?? 0) + 1, event.prevHash == head?.hash ?? HashChain.genesis(station: station),
                  recomputed == event.hash else { return false }
        }
        head = (event.seq, event.hash)
        events += 1
        return true
    }

    /// Whether the walk reached its checkpoint's event, if it resumed from one.
    public var reachedItsCheckpoint: Bool { resuming == nil }
}

extension ChainVerifier {
    /// Verifies a log handed over one event at a time: `walk` calls its argument with each
    /// event in seq order until it returns false. Only the hashes at the checkpoints' seqs
    /// are kept, so memory does not grow with the log. A log that is not intact is handed to
    /// ``verify(events:checkpoints:)`` whole, by `whole`, so that the failure names the
    /// change exactly as it always has.
    public func verify<Failed: Error>(checkpoints: [Checkpoint], walk: ((Event) -> Bool) throws(Failed) -> Void,
                                      whole: () throws(Failed) -> [Event]) throws(Failed) -> Result<Summary, Failure> {
        var chain = ChainWalk(station: station)
        let covered = Set(checkpoints.map(\.seq))
        var hashes: [Int64: String] = [:]
        var intact = true
        try walk { event in
            intact = chain.extend(with: event)
            if intact, covered.contains(event.seq) { hashes[event.seq] = event.hash }
            return intact
        }
        if intact, checkFailure(checkpoints, lastSeq: chain.head?.seq ?? 0, hashAt: { hashes[$0] }) == nil {
            let lastCheckpoint = checkpoints.map(\.seq).max() ?? 0
            return .success(Summary(events: chain.events, checkpoints: checkpoints.count, head: chain.head,
                                    unsignedTail: (chain.head?.seq ?? 0) - lastCheckpoint))
        }
        return verify(events: try whole(), checkpoints: checkpoints)
    }
}
