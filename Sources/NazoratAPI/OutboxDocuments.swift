import NazoratCore

/// One envelope waiting in the outbox.
public struct OutboxItem: Codable, Sendable, Equatable {
    public var seq: Int64
    public var kind: String
    public var envelope: Envelope

    public init(seq: Int64, kind: String, envelope: Envelope) {
        self.seq = seq
        self.kind = kind
        self.envelope = envelope
    }
}

/// `GET /v1/outbox`.
public struct OutboxDocument: Codable, Sendable, Equatable {
    public var envelopes: [OutboxItem]
    /// The highest seq central acknowledged so far.
    public var acknowledgedThrough: Int64

    public init(envelopes: [OutboxItem], acknowledgedThrough: Int64) {
        self.envelopes = envelopes
        self.acknowledgedThrough = acknowledgedThrough
    }
}

/// `POST /v1/outbox/ack`'s body and answer.
public struct OutboxAcknowledgement: Codable, Sendable, Equatable {
    /// Central accepted every envelope through this seq.
    public var through: Int64
    /// The station's clock against central's, measured around the delivery (body only).
    public var clock: CentralClock?

    public init(through: Int64, clock: CentralClock? = nil) {
        self.through = through
        self.clock = clock
    }
}
