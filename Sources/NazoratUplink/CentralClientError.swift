import NazoratLinux
import NIOCore
import NIOPosix

/// Why an exchange with central failed, each a sentence for the uplink's journal (a station
/// technician reads it; no framework's internals). Every one is retried by the delivery loop.
enum CentralClientError: Error, CustomStringConvertible, Equatable {
    /// No connection could be opened to `address`.
    case unreachable(String, reason: String)
    /// The TLS handshake or session failed.
    case tls(String)
    /// Central closed the connection before answering.
    case closedBeforeAnswer
    /// Central closed the connection in the middle of its answer.
    case truncated
    /// Central did not answer completely in time.
    case noAnswer(after: TimeAmount)
    /// Central's answer was longer than the uplink reads.
    case tooLarge(limit: Int)
    /// The connection failed another way.
    case broken(String)

    var description: String {
        switch self {
        case .unreachable(let address, let reason):
            "cannot connect to \(address): \(reason)"
        case .tls(let reason):
            "TLS with central failed (\(reason)); check that [uplink] ca is the CA of central's certificate "
                + "and that client-cert and client-key are the station's, issued by central's CA"
        case .closedBeforeAnswer:
            "central closed the connection without answering"
        case .truncated:
            "central closed the connection in the middle of its answer"
        case .noAnswer(let after):
            "central did not answer within \(Self.seconds(after))"
        case .tooLarge(let limit):
            "central's answer is longer than \(limit) bytes, more than any Nazorat answer"
        case .broken(let reason):
            "the connection to central failed: \(reason)"
        }
    }

    /// Whether the connection failed below HTTP and TLS (a reset, a broken pipe).
    var isBroken: Bool {
        if case .broken = self { true } else { false }
    }

    /// Why a connection could not be opened, as a sentence: the system's words for an errno,
    /// the resolver's failure, or the connect timeout.
    static func connectReason(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError {
            // No connection was tried: the resolver found no address for the name.
            guard let first = failure.connectionErrors.first else { return "\(failure.host) does not resolve to an address" }
            return reason(first.error)
        }
        return reason(error)
    }

    /// `error` as a sentence: an errno in the system's words, a timeout in seconds, else
    /// the error's own description.
    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return ErrnoText.reason(io.errnoCode) }
        if case .connectTimeout(let after) = error as? ChannelError { return "no answer within \(seconds(after))" }
        return "\(error)"
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        "\(amount.nanoseconds / 1_000_000_000) s"
    }
}
