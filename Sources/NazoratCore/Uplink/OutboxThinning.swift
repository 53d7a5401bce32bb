/// `thinned`: a heartbeat the outbox dropped under pressure, replaced by this signed stub so
/// that the sequence stays gap-free and central can tell thinning from loss.
public struct ThinnedPayload: Codable, Sendable, Equatable {
    public var station: String
    public var seq: Int64
    public var kind: String
    public var createdUsec: Int64
    /// The dropped envelope's kind (always `heartbeat`).
    public var thinnedKind: String

    public init(station: String, seq: Int64, createdUsec: Int64, thinnedKind: String) {
        self.station = station
        self.seq = seq
        kind = "thinned"
        self.createdUsec = createdUsec
        self.thinnedKind = thinnedKind
    }
}

/// Which heartbeats the outbox replaces by ``ThinnedPayload`` stubs when it is over its bound.
public enum OutboxThinning {
    /// An envelope waiting in the outbox.
    public struct Entry: Sendable, Equatable {
        public var seq: Int64
        public var kind: String
        public var createdUsec: Int64
        public var size: Int

        public init(seq: Int64, kind: String, createdUsec: Int64, size: Int) {
            self.seq = seq
            self.kind = kind
            self.createdUsec = createdUsec
            self.size = size
        }
    }

    /// The heartbeats to thin, oldest first, until the outbox fits `bound` (a stub takes
    /// `stubSize`). The newest heartbeat and the first of each hour are kept; events, final
    /// reports and stubs are never touched, so the outbox may stay over its bound (the
    /// daemon then raises an alarm).
    public static func heartbeatsToThin(_ entries: [Entry], bound: Int, stubSize: Int) -> [Int64] {
        var total = entries.reduce(0) { $0 + $1.size }
        guard total > bound else { return [] }
        let heartbeats = entries.filter { $0.kind == "heartbeat" }.sorted { $0.seq < $1.seq }
        guard let newest = heartbeats.last?.seq else { return [] }
        var hours: Set<Int64> = []
        var thinned: [Int64] = []
        for heartbeat in heartbeats {
            let hour = heartbeat.createdUsec / 3_600_000_000
            if hours.insert(hour).inserted || heartbeat.seq == newest { continue }
            guard heartbeat.size > stubSize else { continue }
            thinned.append(heartbeat.seq)
            total -= heartbeat.size - stubSize
            if total <= bound { break }
        }
        return thinned
    }
}
