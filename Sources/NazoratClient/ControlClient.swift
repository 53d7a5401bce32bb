import NazoratAPI
import NazoratLinux
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The client side of the control API (nazoratctl): one HTTP/1.1 request per connection
/// on the Unix socket, through SwiftNIO's HTTP codec.
public struct ControlClient: Sendable {
    /// The socket path.
    public let socketPath: String
    /// How long the daemon has to start its answer once connected. A socket unit accepts
    /// connections while nazoratd is stopped, starting or crash-looping, so without this a
    /// client would wait for ever on a daemon that never answers.
    public let answerTimeout: TimeAmount

    /// The default `answerTimeout`: a healthy daemon answers in milliseconds.
    public static let defaultAnswerTimeout = TimeAmount.seconds(5)

    /// A client of the daemon listening at `socketPath`.
    public init(socketPath: String, answerTimeout: TimeAmount = ControlClient.defaultAnswerTimeout) {
        self.socketPath = socketPath
        self.answerTimeout = answerTimeout
    }

    /// A complete answer.
    public struct Response: Sendable {
        /// The HTTP status.
        public var status: Int
        /// The body bytes.
        public var body: [UInt8]
    }

    /// Sends `method target` with `body` (JSON) and returns the whole answer.
    public func request(_ method: HTTPMethod, _ target: String, body: [UInt8]? = nil) async throws(ControlClientError) -> Response {
        var response = Response(status: 0, body: [])
        try await exchange(method, target, body: body) { status in
            response.status = status
        } onBody: { bytes in
            response.body += bytes
        }
        return response
    }

    /// Sends `GET target` and hands each line of the answer's body to `onLine` as it arrives
    /// (a newline-delimited stream); returns the status when the stream ends.
    public func streamLines(_ target: String, onStatus: (Int) throws -> Void,
                            onLine: ([UInt8]) throws -> Void) async throws(ControlClientError) {
        var pending: [UInt8] = []
        try await stream(target, onStatus: onStatus) { bytes in
            pending += bytes
            while let newline = pending.firstIndex(of: 0x0A) {
                try onLine(Array(pending[..<newline]))
                pending.removeSubrange(...newline)
            }
        }
    }

    /// Sends `GET target` and hands the answer's body to `onBody` in pieces as they arrive.
    public func stream(_ target: String, onStatus: (Int) throws -> Void,
                       onBody: ([UInt8]) throws -> Void) async throws(ControlClientError) {
        try await exchange(.GET, target, body: nil, onHead: onStatus, onBody: onBody)
    }

    private typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    private func exchange(_ method: HTTPMethod, _ target: String, body: [UInt8]?, onHead: (Int) throws -> Void,
                          onBody: ([UInt8]) throws -> Void) async throws(ControlClientError) {
        let connection: Connection
        do {
            connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .unreachable(socketPath, reason: Self.reason(error))
        }
        // Closing the channel ends the exchange below; the flag says why it ended.
        let channel = connection.channel
        let timedOut = NIOLockedValueBox(false)
        let deadline = channel.eventLoop.scheduleTask(in: answerTimeout) {
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: "nazoratd")
                headers.add(name: "Connection", value: "close")
                if let body {
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Content-Length", value: "\(body.count)")
                }
                try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: headers)))
                if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                try await outbound.write(.end(nil))
                for try await part in inbound {
                    switch part {
                    case .head(let head):
                        deadline.cancel()
                        try onHead(Int(head.status.code))
                    case .body(var buffer): try onBody(buffer.readBytes(length: buffer.readableBytes) ?? [])
                    case .end: return
                    }
                }
                throw ControlClientError.truncated
            }
        } catch let error as ControlClientError {
            if timedOut.withLockedValue({ $0 }) { throw .noAnswer(socketPath, after: answerTimeout) }
            throw error
        } catch {
            if timedOut.withLockedValue({ $0 }) { throw .noAnswer(socketPath, after: answerTimeout) }
            throw .broken(reason: "\(error)")
        }
    }
}

/// Why a control request failed before an answer arrived.
public enum ControlClientError: Error, CustomStringConvertible {
    /// Nothing listens at the socket, or it may not be opened.
    case unreachable(String, reason: String)
    /// The connection broke during the exchange.
    case broken(reason: String)
    /// The answer ended early.
    case truncated
    /// The socket accepted the connection but nothing answered in time (a stopped,
    /// starting or crash-looping nazoratd behind its socket unit).
    case noAnswer(String, after: TimeAmount)

    public var description: String {
        switch self {
        case .unreachable(let path, let reason): "cannot reach nazoratd at \(path): \(reason)"
        case .broken(let reason): "the connection to nazoratd broke: \(reason)"
        case .truncated: "nazoratd's answer ended early"
        case .noAnswer(let path, let limit):
            "nazoratd did not answer at \(path) within \(limit.nanoseconds / 1_000_000_000) s: it is stopped, starting "
                + "or failing; see `systemctl status nazoratd` and `journalctl -u nazoratd` (--timeout waits longer)"
        }
    }
}

extension ControlClient {
    /// Why connecting failed, as a sentence with what to do (not NIO's `connect(descriptor:...)`).
    static func reason(_ error: any Error) -> String {
        guard let io = error as? IOError else { return "\(error)" }
        let hint = switch io.errnoCode {
        case EACCES, EPERM: "only members of group nazorat may use it (ask an administrator to add you, then log in again)"
        case ENOENT: "the socket does not exist: is nazoratd installed and running? (systemctl status nazoratd)"
        case ECONNREFUSED: "nothing listens there: is nazoratd running? (systemctl status nazoratd)"
        default: "see systemctl status nazoratd"
        }
        return ErrnoText.reason(io.errnoCode) + "; " + hint
    }
}
