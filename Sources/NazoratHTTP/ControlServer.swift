import Foundation
import Logging
import NazoratCore
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Answers a request; the daemon provides the routes.
public typealias ControlRouter = @Sendable (ControlRequest) async -> ControlResponse

/// The control API's HTTP/1.1 server on a Unix socket.
///
/// `bind` listens at once (so the socket exists before the daemon reports READY=1); `run`
/// serves until graceful shutdown, each connection in its own child task, and then closes
/// every connection and, if it bound the path itself, removes the socket file.
public final class ControlServer: Service, Sendable {
    /// The largest request body accepted; a larger one gets 413.
    public static let bodyLimit = 64 * 1024
    /// How long a client has to send a complete request (see ``RequestDeadlineHandler``).
    public static let requestTimeout = TimeAmount.seconds(5)

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let listener: NIOAsyncChannel<Connection, Never>
    private let endpoint: ControlEndpoint
    private let router: ControlRouter
    private let logger: Logger
    private let bodyLimit: Int

    private init(listener: NIOAsyncChannel<Connection, Never>, endpoint: ControlEndpoint, router: @escaping ControlRouter,
                 logger: Logger, bodyLimit: Int) {
        self.listener = listener
        self.endpoint = endpoint
        self.router = router
        self.logger = logger
        self.bodyLimit = bodyLimit
    }

    /// The address a TCP listener is bound to (its port, when port 0 was asked for).
    public var localPort: Int? { listener.channel.localAddress?.port }

    /// Listens on `endpoint`; requests go to `router`. A path the server binds gets mode 0660
    /// and, where the group exists, group `nazorat`, as `nazoratd.socket` would set them.
    ///
    /// nazorat-central uses the same server on TCP: `bodyLimit` lets it take batches of
    /// envelopes, `requestTimeout` gives a station's slow link the time to send one (the 5 s
    /// that keep a local socket free of stalled clients would cut a large batch off for ever),
    /// and `secure` adds its TLS handler in front of HTTP.
    public static func bind(_ endpoint: ControlEndpoint, router: @escaping ControlRouter, logger: Logger,
                            bodyLimit: Int = ControlServer.bodyLimit,
                            requestTimeout: TimeAmount = ControlServer.requestTimeout,
                            secure: (@Sendable (Channel) throws -> Void)? = nil) async throws(ControlServerError) -> ControlServer {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singletonControlLoop)
            .serverChannelOption(.backlog, value: 256)
            // A restarted nazorat-central gets its port back despite connections in TIME_WAIT.
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A client that half-closes after its request (shutdown(SHUT_WR)) still gets the answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (Channel) -> EventLoopFuture<Connection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try secure?(channel)
                try configureHTTP(channel.pipeline.syncOperations, requestTimeout: requestTimeout)
                return try Connection(wrappingChannelSynchronously: channel)
            }
        }
        do {
            let listener: NIOAsyncChannel<Connection, Never>
            switch endpoint {
            case .inherited(let descriptor):
                listener = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
            case .path(let path):
                try SocketFile.prepare(path)
                listener = try await bootstrap.bind(unixDomainSocketPath: path, childChannelInitializer: initializer)
                try SocketFile.restrict(path)
            case .tcp(let host, let port):
                listener = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
            }
            return ControlServer(listener: listener, endpoint: endpoint, router: router, logger: logger, bodyLimit: bodyLimit)
        } catch let error as ControlServerError {
            throw error
        } catch {
            throw .bind(endpoint, reason: "\(error)")
        }
    }

    /// The HTTP part of a connection's pipeline: NIO's HTTP/1.1 codec, JSON answers to bytes
    /// that are not HTTP, and the request deadline (the fuzz target feeds it hostile bytes).
    static func configureHTTP(_ pipeline: ChannelPipeline.SynchronousOperations, requestTimeout: TimeAmount) throws {
        try pipeline.configureHTTPServerPipeline(withErrorHandling: false)
        try pipeline.addHandler(ProtocolErrorHandler())
        try pipeline.addHandler(RequestDeadlineHandler(limit: requestTimeout))
    }

    /// Returns once the server's event loop runs work: the watchdog's liveness probe.
    public func answer() async {
        try? await listener.channel.eventLoop.submit {}.get()
    }

    /// Serves connections until graceful shutdown.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { connections in
                for try await connection in connections.cancelOnGracefulShutdown() {
                    group.addTask { [self] in await serve(connection) }
                }
            }
            // Open connections (idle ones, event streams) end with the server.
            group.cancelAll()
        }
        if case .path(let path) = endpoint { unlink(path) }
    }

    private func serve(_ connection: Connection) async {
        do {
            let peer: Peer
            if case .tcp = endpoint {
                peer = Peer.remote(connection.channel.remoteAddress.map { "\($0)" } ?? "unknown")
            } else {
                peer = try await PeerCredentials.of(connection.channel)
            }
            try await connection.executeThenClose { inbound, outbound in
                try await exchange(inbound, outbound, peer: peer)
                // executeThenClose's close drops what the socket has not taken yet: a large
                // answer to a slow reader lost its end ("stream ended at an unexpected time",
                // make vm-test's uplink, 100 envelopes). Closing the output first waits for
                // every byte to leave; the request deadline, armed at the answer's end, bounds
                // that wait for a client that stops reading.
                try? await connection.channel.close(mode: .output)
            }
        } catch {
            logger.debug("control connection ended: \(error)")
        }
    }

    /// Reads requests and writes their answers until the client's last request is answered.
    private func exchange(_ inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>,
                          _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, peer: Peer) async throws {
        var assembler = RequestAssembler(bodyLimit: bodyLimit, peer: peer)
        var parts = inbound.makeAsyncIterator()
        while let part = try await parts.next() {
            switch assembler.consume(part) {
            case .incomplete:
                continue
            case .rejected(let response):
                try await write(response, keepAlive: false, to: outbound)
                // A lingering close: what the client still sends of this request is
                // read and dropped (until its end, or the request deadline), because
                // closing on unread data would reset the connection and could destroy
                // the answer before the client reads it.
                while let rest = try await parts.next() {
                    if case .end = rest { break }
                }
                return
            case .complete(let request, let keepAlive):
                try await write(await router(request), keepAlive: keepAlive, to: outbound)
                if !keepAlive { return }
            }
        }
    }

    private func write(_ response: ControlResponse, keepAlive: Bool,
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        for field in response.headers { headers.add(name: field.name, value: field.value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        guard let stream = response.stream else {
            headers.add(name: "Content-Length", value: "\(response.body.count)")
            try await outbound.write(contentsOf: [
                .head(head(response.status, headers)), .body(.byteBuffer(ByteBuffer(bytes: response.body))), .end(nil),
            ])
            return
        }
        // No length: NIO sends the body chunked, one chunk per stream element.
        try await outbound.write(.head(head(response.status, headers)))
        for await chunk in stream {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
        }
        try await outbound.write(.end(nil))
    }

    private func head(_ status: Int, _ headers: HTTPHeaders) -> HTTPResponseHead {
        HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
    }
}

/// Why the control server could not listen.
public enum ControlServerError: Error, CustomStringConvertible {
    /// Binding or adopting the socket failed.
    case bind(ControlEndpoint, reason: String)

    public var description: String {
        switch self {
        case .bind(.inherited(let descriptor), let reason):
            "cannot serve the control socket inherited from systemd (fd \(descriptor)): \(reason)"
        case .bind(.path(let path), let reason):
            "cannot listen on the control socket \(path): \(reason)"
        case .bind(.tcp(let host, let port), let reason):
            "cannot listen on \(host):\(port): \(reason)"
        }
    }
}

extension MultiThreadedEventLoopGroup {
    /// One event loop thread serves the control socket: local clients, small requests.
    static let singletonControlLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
}
