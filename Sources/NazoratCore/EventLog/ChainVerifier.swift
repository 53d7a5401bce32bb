/// Recomputes an event log's chain and checkpoints and names the first problem.
///
/// Rows are read in seq order. Each row must follow the previous one without a gap,
/// name the previous row's hash as its `prev_hash`, and hash to its stored hash. When
/// one of these fails, the verifier tells what kind of change explains it:
///
/// - **edited**: the row's content no longer matches its hash, but the next row still
///   names that hash; or the row was re-hashed and the next row names the old hash;
/// - **deleted**: a seq is missing, or rows were renumbered over a removed one;
/// - **reordered**: the row's hash is named by a row other than its successor, or it
///   names a later row as its predecessor;
/// - **inserted**: two rows name the same predecessor (the first of them was added);
/// - **truncated**: a checkpoint covers a seq the log no longer has;
/// - **bad signature**: a checkpoint is not signed by the expected key, or its hash is
///   not the hash of the event at its seq.
public struct ChainVerifier {
    /// What the verifier found wrong, at which seq.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The kinds of tampering and damage the verifier tells apart.
        public enum Kind: String, Sendable {
            case edited, deleted, reordered, inserted, truncated
            case badSignature = "bad signature"
            case malformed
        }

        /// The first seq that is not what it should be.
        public var seq: Int64
        /// What kind of change explains it.
        public var kind: Kind
        /// The details.
        public var detail: String

        public var description: String { "seq \(seq): \(kind.rawValue): \(detail)" }

        /// Creates a failure report.
        public init(seq: Int64, kind: Kind, detail: String) {
            self.seq = seq
            self.kind = kind
            self.detail = detail
        }
    }

    /// What an intact log looks like.
    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        /// Events verified.
        public var events: Int64
        /// Checkpoints whose signatures verified.
        public var checkpoints: Int
        /// The last seq and hash.
        public var head: (seq: Int64, hash: String)?
        /// Events after the last checkpoint, which no signature covers yet.
        public var unsignedTail: Int64

        public static func == (a: Summary, b: Summary) -> Bool {
            a.events == b.events && a.checkpoints == b.checkpoints && a.head?.seq == b.head?.seq
                && a.head?.hash == b.head?.hash && a.unsignedTail == b.unsignedTail
        }

        public var description: String {
            guard let head else { return "intact: empty log" }
            return "intact: \(events) events (seq 1-\(head.seq)), \(checkpoints) checkpoints verified, "
                + "\(unsignedTail) events after the last checkpoint, head \(head.hash)"
        }
    }

    let station: String
    let publicKey: String

    /// A verifier for `station`'s log whose checkpoints must be signed by `publicKey` (base64).
    public init(station: String, publicKey: String) {
        self.station = station
        self.publicKey = publicKey
    }

    /// Verifies `events` (in seq order) and `checkpoints`.
    public func verify(events: [Event], checkpoints: [Checkpoint]) -> Result<Summary, Failure> {
        let byHash = Dictionary(events.map { ($0.hash, $0.seq) }, uniquingKeysWith: { first, _ in first })
        var namedBy: [String: [Int64]] = [:]
        for event in events { namedBy[event.prevHash, default: []].append(event.seq) }

        var previous: Event?
        for (index, event) in events.enumerated() {
            let expectedSeq = (previous?.seq ?? 0) + 1
            if event.seq != expectedSeq {
                return .failure(Failure(seq: expectedSeq, kind: .deleted,
                                        detail: "seq \(expectedSeq)-\(event.seq - 1) missing"))
            }
            let expectedPrev = previous?.hash ?? HashChain.genesis(station: station)
            guard let recomputed = HashChain.hash(seq: event.seq, draft: event.draft, prevHash: event.prevHash) else {
                return .failure(Failure(seq: event.seq, kind: .malformed, detail: "prev_hash is not a SHA-256 hex digest"))
            }
            let linked = event.prevHash == expectedPrev
            let consistent = recomputed == event.hash
            if linked && consistent {
                previous = event
                continue
            }
            let next = index + 1 < events.count ? events[index + 1] : nil
            if linked {
                // The content changed under its hash.
                let namers = namedBy[event.hash] ?? []
                if namers.contains(where: { $0 != next?.seq }) {
                    return .failure(Failure(seq: event.seq, kind: .reordered,
                                            detail: "its hash is named by seq \(namers.map(String.init).joined(separator: ", "))"))
                }
                return .failure(Failure(seq: event.seq, kind: .edited, detail: "content does not match its hash"))
            }
            if let previous, event.prevHash == previous.prevHash {
                return .failure(Failure(seq: previous.seq, kind: .inserted,
                                        detail: "seq \(previous.seq) and \(event.seq) name the same predecessor"))
            }
            if let named = byHash[event.prevHash], named > event.seq {
                return .failure(Failure(seq: event.seq, kind: .reordered, detail: "names seq \(named) as its predecessor"))
            }
            if byHash[event.prevHash] == nil {
                if consistent, let previous {
                    return .failure(Failure(seq: previous.seq, kind: .edited,
                                            detail: "re-hashed; seq \(event.seq) still names the original"))
                }
                return .failure(Failure(seq: event.seq, kind: .deleted, detail: "its predecessor is missing"))
            }
            return .failure(Failure(seq: event.seq, kind: .inserted, detail: "rows were inserted before it"))
        }

        let hashes = Dictionary(events.map { ($0.seq, $0.hash) }, uniquingKeysWith: { first, _ in first })
        let lastSeq = events.last?.seq ?? 0
        if let failure = checkFailure(checkpoints, lastSeq: lastSeq, hashAt: { hashes[$0] }) { return .failure(failure) }
        let lastCheckpoint = checkpoints.map(\.seq).max() ?? 0
        return .success(Summary(events: Int64(events.count), checkpoints: checkpoints.count,
                                head: events.last.map { ($0.seq, $0.hash) }, unsignedTail: lastSeq - lastCheckpoint))
    }

    /// The first checkpoint that covers a seq past `lastSeq` (the tail was cut), is not signed
    /// by the expected key, or signs another hash than the event's at its seq.
    func checkFailure(_ checkpoints: [Checkpoint], lastSeq: Int64, hashAt: (Int64) -> String?) -> Failure? {
        for checkpoint in checkpoints.sorted(by: { $0.seq < $1.seq }) {
            guard checkpoint.seq <= lastSeq else {
                return Failure(seq: lastSeq + 1, kind: .truncated,
                               detail: "a checkpoint covers seq \(checkpoint.seq) but the log ends at \(lastSeq)")
            }
            guard checkpoint.publicKey == publicKey, checkpoint.isValid(station: station, publicKey: publicKey) else {
                return Failure(seq: checkpoint.seq, kind: .badSignature, detail: "the checkpoint is not signed by key \(publicKey)")
            }
            guard hashAt(checkpoint.seq) == checkpoint.hash else {
                return Failure(seq: checkpoint.seq, kind: .badSignature, detail: "the signed hash is not the hash of the event")
            }
        }
        return nil
    }
}
