/// The body of `POST /v1/envelopes` (docs/central-protocol.md): what nazorat-uplink sends and
/// nazorat-central reads.
public struct EnvelopeBatch: Codable, Sendable, Equatable {
    public var envelopes: [Envelope]

    public init(envelopes: [Envelope]) {
        self.envelopes = envelopes
    }
}

/// Central's answer to a batch: the highest contiguous seq it accepted (also on a refusal, so
/// that the uplink knows where central stands), how many were duplicates, and the refusal.
public struct DeliveryAnswer: Codable, Sendable, Equatable {
    /// Why central refused the batch (`forged`, `gap`, `conflict`, ...).
    public struct Refusal: Codable, Sendable, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// The station the batch was from, when central could tell.
    public var station: String?
    /// The highest seq accepted without a gap; absent when nothing is known of the station.
    public var accepted: Int64?
    /// Envelopes central already had (a retry).
    public var duplicates: Int?
    public var error: Refusal?

    public init(station: String?, accepted: Int64?, duplicates: Int?, error: Refusal?) {
        self.station = station
        self.accepted = accepted
        self.duplicates = duplicates
        self.error = error
    }
}
