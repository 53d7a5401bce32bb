
/// The check at start that `[uplink] url` leads to a Nazorat receiver, so that a wrong
/// address is reported once, plainly, instead of failing every delivery for ever.
///
/// A receiver answers `GET /v1/envelopes` with 405 (the resource exists, for POST only);
/// 404 means there is no receiver at that path: a configuration error. Anything else
/// (no connection, 5xx, another server's page) cannot tell a wrong address from an
/// outage, so delivery starts and retries as usual.
enum EndpointProbe {
    enum Outcome: Equatable {
        case receiver
        case noReceiver(status: UInt)
        case undecided(String)
    }

    static func check(client: CentralClient) async -> Outcome {
        do {
            // Short: an outage here only delays the first delivery, which retries anyway.
            let answer = try await client.send(.GET, timeout: .seconds(3), limit: 1 << 16)
            switch answer.status {
            case 405: return .receiver
            case 404: return .noReceiver(status: 404)
            default: return .undecided("central answered \(answer.status) to the check")
            }
        } catch {
            return .undecided("\(error)")
        }
    }
}

/// Why the uplink stops instead of retrying.
public struct UplinkConfigurationError: Error, CustomStringConvertible {
    public var description: String
}
