import FoundationEssentials
import GRDB
import NazoratCore

/// An envelope in the outbox.
public struct OutboxEntry: Sendable, Equatable {
    public var seq: Int64
    public var kind: String
    public var createdUsec: Int64
    /// The envelope's JSON, as it goes to central.
    public var envelope: String
}

/// The outbox's size and position.
public struct OutboxSummary: Sendable, Equatable {
    public var envelopes: Int
    public var bytes: Int
    public var firstSeq: Int64?
    public var lastSeq: Int64?
    /// The highest seq central acknowledged.
    public var acknowledgedThrough: Int64
}

/// The outbox table and its bookkeeping in `meta`: `outbox-last-seq` (the last envelope
/// seq given), `outbox-acked-through` (central's acknowledgement), `outbox-events-through`
/// (the last event put into an envelope) and `outbox-final-report` (whether it was made).
extension StateStore {
    /// Adds envelopes made by `make` for the next seqs (one transaction: seq stays gap-free),
    /// and sets the metadata `meta`. `make` gets the seq and returns kind, time and JSON.
    public func appendOutbox(count: Int, meta: [MetadataKey: String] = [:],
                             make: (Int64) -> (kind: String, createdUsec: Int64, envelope: String)) throws(StoreError) {
        try writeTransaction { db in
            var seq = Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?",
                                                arguments: [MetadataKey.outboxLastSeq.rawValue]) ?? "0") ?? 0
            for _ in 0..<count {
                seq += 1
                let entry = make(seq)
                try db.execute(sql: "INSERT INTO outbox (seq, kind, created_usec, envelope, size) VALUES (?, ?, ?, ?, ?)",
                               arguments: [seq, entry.kind, entry.createdUsec, entry.envelope, entry.envelope.utf8.count])
            }
            for (key, value) in meta.merging([.outboxLastSeq: String(seq)], uniquingKeysWith: { $1 }) {
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               arguments: [key.rawValue, value])
            }
        }
    }

    /// At most `limit` envelopes after `seq`, in order.
    public func outbox(after seq: Int64, limit: Int) throws(StoreError) -> [OutboxEntry] {
        try readOnly { db in
            try Row.fetchAll(db, sql: "SELECT seq, kind, created_usec, envelope FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [seq, limit]).map {
                OutboxEntry(seq: $0["seq"], kind: $0["kind"], createdUsec: $0["created_usec"], envelope: $0["envelope"])
            }
        }
    }

    /// Every envelope's seq, kind, time and size (for thinning).
    public func outboxEntries() throws(StoreError) -> [OutboxThinning.Entry] {
        try readOnly { db in
            try Row.fetchAll(db, sql: "SELECT seq, kind, created_usec, size FROM outbox ORDER BY seq").map {
                OutboxThinning.Entry(seq: $0["seq"], kind: $0["kind"], createdUsec: $0["created_usec"], size: $0["size"])
            }
        }
    }

    /// Replaces envelope `seq` (a thinned heartbeat) by `stub`.
    public func replaceOutbox(seq: Int64, kind: String, stub: String) throws(StoreError) {
        try writeTransaction { db in
            try db.execute(sql: "UPDATE outbox SET kind = ?, envelope = ?, size = ? WHERE seq = ?",
                           arguments: [kind, stub, stub.utf8.count, seq])
        }
    }

    /// Drops the envelopes central acknowledged, through `seq`.
    public func acknowledgeOutbox(through seq: Int64) throws(StoreError) {
        try writeTransaction { db in
            try db.execute(sql: "DELETE FROM outbox WHERE seq <= ?", arguments: [seq])
            try db.execute(sql: """
                INSERT INTO meta (key, value) VALUES (?, ?)
                ON CONFLICT(key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
                """, arguments: [MetadataKey.outboxAcknowledgedThrough.rawValue, String(seq)])
        }
    }

    /// The outbox's size and position.
    public func outboxSummary() throws(StoreError) -> OutboxSummary {
        try readOnly { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes, MIN(seq) AS first, MAX(seq) AS last FROM outbox")
            let acked = Int64(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?",
                                                  arguments: [MetadataKey.outboxAcknowledgedThrough.rawValue]) ?? "0") ?? 0
            return OutboxSummary(envelopes: row?["n"] ?? 0, bytes: row?["bytes"] ?? 0, firstSeq: row?["first"],
                                 lastSeq: row?["last"], acknowledgedThrough: acked)
        }
    }
}
