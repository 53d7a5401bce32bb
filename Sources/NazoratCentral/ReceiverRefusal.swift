/// What the receiver answers: a refusal's code and status, and what a batch came to.
extension Receiver {
    /// The answer to a storage failure, the same for every one.
    static let storageFailed = Refusal(code: .storage, message: "central's storage is unavailable: nothing of the batch "
                                       + "was kept; send it again")

    /// Why an envelope was refused: the code central answers with, and its HTTP status.
    struct Refusal: Error, Equatable {
        enum Code: String {
            case malformed, unknownStation = "unknown-station", retired, badSignature = "bad-signature", gap,
                 chainBroken = "chain-broken", conflict
            /// Not a refusal of the envelope: central's own database failed (the uplink retries).
            case storage
        }

        let code: Code
        let message: String

        var status: Int {
            switch code {
            case .malformed: 400
            case .unknownStation, .retired, .badSignature: 403
            case .gap, .chainBroken, .conflict: 409
            case .storage: 503
            }
        }
    }

    /// What a batch came to: the station, the highest contiguous seq accepted, how many
    /// were repeats, and the refusal that stopped it, if any.
    struct Outcome: Equatable {
        var station: String?
        var accepted: Int64?
        var duplicates = 0
        var refusal: Refusal?
    }
}
