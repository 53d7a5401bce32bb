/// The keys of the database's `meta` table: what the station's database says about itself.
public enum MetadataKey: String, Sendable, CaseIterable {
    /// The station id the log belongs to (set once).
    case station
    /// The station's public key, base64 (set once; a key change is a new chain).
    case publicKey = "public-key"
    /// The polls phase: setup, open, closed.
    case pollsPhase = "polls-phase"
    /// The last envelope seq given.
    case outboxLastSeq = "outbox-last-seq"
    /// The last event seq put into an `events` envelope.
    case outboxEventsThrough = "outbox-events-through"
    /// `made` once the final report's envelope exists.
    case outboxFinalReport = "outbox-final-report"
    /// The seq of the zero report's event whose envelope exists.
    case outboxZeroReport = "outbox-zero-report"
    /// The seq of the closing report's event whose envelope exists.
    case outboxClosingReport = "outbox-closing-report"
    /// The highest envelope seq central acknowledged.
    case outboxAcknowledgedThrough = "outbox-acked-through"
}
