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
    /// Central's wall clock when it answered, µs since the epoch (for ``CentralClock``).
    public var receivedUsec: Int64?

    public init(station: String?, accepted: Int64?, duplicates: Int?, error: Refusal?, receivedUsec: Int64? = nil) {
        self.station = station
        self.accepted = accepted
        self.duplicates = duplicates
        self.error = error
        self.receivedUsec = receivedUsec
    }
}

/// The station's wall clock against central's, as nazorat-uplink measured it around one
/// delivery: central's clock when it answered, minus the midpoint of the request on the
/// station's clock (the two processes share the station's clock). The uplink hands it to
/// nazoratd with its acknowledgement; the zero report shows it.
public struct CentralClock: Codable, Sendable, Equatable {
    /// Central's clock minus the station's, µs (positive: the station is behind).
    public var offsetUsec: Int64
    /// The request's round trip, µs: the offset is known to within half of it.
    public var roundTripUsec: Int64
    /// When it was measured, on the station's clock (µs since the epoch).
    public var measuredUsec: Int64

    public init(offsetUsec: Int64, roundTripUsec: Int64, measuredUsec: Int64) {
        self.offsetUsec = offsetUsec
        self.roundTripUsec = roundTripUsec
        self.measuredUsec = measuredUsec
    }

    /// The largest offset taken, in either direction: about 31 years, µs.
    public static let offsetBound: Int64 = 1_000_000_000_000_000
    /// The longest round trip taken: an hour, µs.
    public static let roundTripBound: Int64 = 3_600_000_000

    /// Whether the figures are ones a measurement can give (the ack route refuses others).
    public var isPlausible: Bool {
        (-Self.offsetBound...Self.offsetBound).contains(offsetUsec) && (0...Self.roundTripBound).contains(roundTripUsec)
            && measuredUsec >= 0
    }

    /// The comparison of a request sent at `sentUsec` and answered at `answeredUsec` (station's
    /// clock) that central answered at `centralUsec` (its clock).
    public static func measure(sentUsec: Int64, answeredUsec: Int64, centralUsec: Int64) -> CentralClock {
        CentralClock(offsetUsec: centralUsec - (sentUsec + answeredUsec) / 2, roundTripUsec: max(0, answeredUsec - sentUsec),
                     measuredUsec: answeredUsec)
    }
}
