import FoundationEssentials
import NazoratCore
import NazoratSigning

/// The signed envelopes for central, waiting in the database until central acknowledged
/// them (through nazorat-uplink). nazoratd alone holds the station key, so only it makes
/// envelopes; the uplink can delay or drop them, never forge them, and a dropped one leaves
/// a gap central sees.
///
/// In the store module (not the daemon) so that the benchmark's backlog generator makes its
/// 24-hour outage with the very code the daemon uses.
public actor Outbox {
    private let store: StateStore
    private let signer: StationSigner
    private var station: String { signer.station }
    /// The outbox's bound in bytes, beyond which old heartbeats are thinned.
    public nonisolated let bound: Int
    private let onAdded: @Sendable () -> Void
    /// The events one envelope carries at most.
    public static let eventsPerEnvelope = 500
    /// A thinning stub's size, about (for the thinning arithmetic).
    static let stubSize = 400
    /// The fraction of the bound at which the outbox alarm is raised.
    public static let alarmFraction = 0.8

    /// An outbox in `store`, its envelopes signed by `signer`; `onAdded` runs after each
    /// envelope added (the daemon rings its long-polling readers).
    public init(store: StateStore, signer: StationSigner, bound: Int, onAdded: @escaping @Sendable () -> Void) {
        self.store = store
        self.signer = signer
        self.bound = bound
        self.onAdded = onAdded
    }

    /// Signs `payload` (made for the seq it gets) and adds it, with metadata `meta` in the
    /// same transaction.
    public func add<Payload: Encodable>(kind: String, createdUsec: Int64, meta: [MetadataKey: String] = [:],
                                 _ payload: @escaping (Int64) -> Payload) throws(StoreError) {
        try store.appendOutbox(count: 1, meta: meta) { seq in
            (kind, createdUsec, self.signer.envelope(kind: kind, payload(seq)))
        }
        onAdded()
    }

    /// Adds `events` envelopes for the events not yet sent, up to `limit` envelopes.
    public func addEventBatches(createdUsec: Int64, limit: Int) throws(StoreError) {
        var through = Int64(try store.metadata(.outboxEventsThrough) ?? "0") ?? 0
        for _ in 0..<limit {
            let events = try store.events(after: through, limit: Self.eventsPerEnvelope)
            guard let last = events.last else { return }
            try add(kind: "events", createdUsec: createdUsec, meta: [.outboxEventsThrough: String(last.seq)]) { [station] seq in
                EventBatchPayload(station: station, seq: seq, createdUsec: createdUsec, events: events.map(ChainedEvent.init))
            }
            through = last.seq
        }
    }

    /// Adds the envelope of each polls report recorded since the last one, once the events
    /// through the report's own event are in envelopes: central then holds the event before
    /// the signed report, and checks that the two are the same (docs/central-protocol.md).
    public func addReports(createdUsec: Int64) throws(StoreError) {
        let eventsThrough = Int64(try store.metadata(.outboxEventsThrough) ?? "0") ?? 0
        for occasion in PollsReport.Occasion.allCases {
            let made: MetadataKey = occasion == .zero ? .outboxZeroReport : .outboxClosingReport
            guard let event = try store.lastEvent(ofType: occasion.eventType), event.seq <= eventsThrough,
                  try store.metadata(made) != String(event.seq),
                  let report = try? JSONDecoder().decode(PollsReport.self, from: Data(event.draft.payload.utf8))
            else { continue }
            try add(kind: occasion.envelopeKind, createdUsec: createdUsec, meta: [made: String(event.seq)]) { [station] seq in
                PollsReportPayload(station: station, seq: seq, createdUsec: createdUsec,
                                   event: LogHead(seq: event.seq, hash: event.hash), report: report)
            }
        }
    }

    /// Whether the final report was made already.
    public func finalReportMade() throws(StoreError) -> Bool {
        try store.metadata(.outboxFinalReport) == "made"
    }

    /// Replaces old heartbeats by signed stubs while the outbox is over its bound; returns
    /// how many were thinned.
    public func thin() throws(StoreError) -> Int {
        let seqs = OutboxThinning.heartbeatsToThin(try store.outboxEntries(), bound: bound,
                                                   stubSize: Self.stubSize)
        for seq in seqs {
            let stub = signer.envelope(kind: "thinned", ThinnedPayload(station: station, seq: seq,
                                                                      createdUsec: 0, thinnedKind: "heartbeat"))
            try store.replaceOutbox(seq: seq, kind: "thinned", stub: stub)
        }
        return seqs.count
    }

    /// Envelopes after `seq`, at most `limit`.
    public func entries(after seq: Int64, limit: Int) throws(StoreError) -> [OutboxEntry] {
        try store.outbox(after: seq, limit: limit)
    }

    /// Drops what central acknowledged.
    public func acknowledge(through seq: Int64) throws(StoreError) {
        try store.acknowledgeOutbox(through: seq)
    }

    /// Size and position.
    public func summary() throws(StoreError) -> OutboxSummary {
        try store.outboxSummary()
    }

    /// Every envelope central has not acknowledged, as an offline bundle: each one's file
    /// exactly as stored, and a manifest naming them with their SHA-256, signed by the
    /// station key (nazoratctl export-bundle). Nothing is acknowledged by exporting: the
    /// uplink still delivers them if the network comes back, and central holds each once.
    public func bundle(createdUsec: Int64) throws(StoreError) -> (contents: OfflineBundle.Contents, manifest: OfflineBundle.Manifest) {
        var files: [OfflineBundle.Contents.File] = []
        var listed: [OfflineBundle.Manifest.File] = []
        var after = try acknowledgedThrough()
        while case let page = try store.outbox(after: after, limit: 1000), let last = page.last {
            for entry in page {
                let name = OfflineBundle.fileName(seq: entry.seq)
                files.append(.init(name: name, content: entry.envelope))
                listed.append(.init(name: name, seq: entry.seq, sha256: OfflineBundle.digest(Array(entry.envelope.utf8))))
            }
            after = last.seq
        }
        let manifest = OfflineBundle.Manifest(station: station, createdUsec: createdUsec, files: listed)
        return (OfflineBundle.Contents(manifest: signer.envelope(kind: OfflineBundle.manifestKind, manifest), files: files),
                manifest)
    }

    /// The highest seq central acknowledged (without summing up the outbox).
    public func acknowledgedThrough() throws(StoreError) -> Int64 {
        Int64(try store.metadata(.outboxAcknowledgedThrough) ?? "0") ?? 0
    }
}
