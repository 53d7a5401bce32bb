import NazoratConfiguration
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The uplink's HTTP/1.1 client for central: one connection (TLS for https), kept open
/// between rounds and opened again once central or the network has closed it. A station
/// sends a round every heartbeat, and 11,000 stations shaking hands every 15 s would cost
/// central more than their envelopes do. One request at a time (the uplink's rounds follow
/// each other), so there is no pool; SwiftNIO's HTTP codec and NIOSSL do the protocol.
actor CentralClient {
    /// Central's whole answer.
    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]
    }

    let address: CentralAddress
    private let tls: NIOSSLContext?
    private var channel: (any Channel)?
    /// How long a connection (and its TLS handshake, which follows) may take to open.
    static let connectTimeout = TimeAmount.seconds(10)

    /// A client of `address`, with `settings`' CA and client certificate for TLS; a file that
    /// cannot be read is a configuration error, reported once at start.
    init(address: CentralAddress, settings: UplinkSettings) throws(UplinkConfigurationError) {
        self.address = address
        guard address.usesTLS else {
            tls = nil
            return
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = settings.caPath { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
            if let certificate = settings.clientCertificatePath, let key = settings.clientKeyPath {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
            tls = try NIOSSLContext(configuration: configuration)
        } catch {
            throw UplinkConfigurationError(description: "[uplink] ca, client-cert or client-key: cannot be loaded "
                + "(\(error)); each must be a readable PEM file")
        }
    }

    /// Sends `method` to the address's path with `body` (JSON) and returns the answer whole;
    /// central has `timeout` to answer completely, with at most `limit` bytes of body.
    func send(_ method: HTTPMethod, body: [UInt8]? = nil, timeout: TimeAmount, limit: Int) async throws(CentralClientError) -> Answer {
        let (channel, reused) = try await connection()
        do throws(CentralClientError) {
            return try await exchange(on: channel, method, body: body, timeout: timeout, limit: limit)
        } catch where reused && (error == .closedBeforeAnswer || error.isBroken) {
            // Central closed the idle connection as the request went out (a clean close or a
            // reset): once more on a new one (envelopes are idempotent at central: a repeat is
            // counted, never doubled).
            self.channel = nil
            return try await exchange(on: connection().channel, method, body: body, timeout: timeout, limit: limit)
        } catch {
            self.channel = nil
            throw error
        }
    }

    /// Closes the connection (the uplink is stopping).
    func close() async {
        try? await channel?.close()
        channel = nil
    }

    private func connection() async throws(CentralClientError) -> (channel: any Channel, reused: Bool) {
        if let channel, channel.isActive { return (channel, true) }
        channel = nil
        let (tls, address) = (self.tls, self.address)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(Self.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        // No server name for an address: the certificate must name the address.
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls,
                                                                    serverHostname: address.hostIsAddress ? nil : address.host))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(AnswerCollector())
                }
            }
        do {
            let opened = try await bootstrap.connect(host: address.host, port: address.port).get()
            channel = opened
            return (opened, false)
        } catch {
            throw .unreachable("\(address.hostHeader)", reason: CentralClientError.connectReason(error))
        }
    }

    private func exchange(on channel: any Channel, _ method: HTTPMethod, body: [UInt8]?, timeout: TimeAmount,
                          limit: Int) async throws(CentralClientError) -> Answer {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: address.hostHeader)
        headers.add(name: "User-Agent", value: "nazorat-uplink")
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: "\(body.count)")
        }
        let request = AnswerCollector.Request(head: HTTPRequestHead(version: .http1_1, method: method, uri: address.path,
                                                                    headers: headers),
                                              body: body, limit: limit, timeout: timeout)
        let answer = channel.eventLoop.flatSubmit {
            let promise = channel.eventLoop.makePromise(of: Answer.self)
            do {
                try channel.pipeline.syncOperations.handler(type: AnswerCollector.self).send(request, answer: promise)
            } catch {
                promise.fail(CentralClientError.closedBeforeAnswer)
            }
            return promise.futureResult
        }
        do {
            return try await answer.get()
        } catch let error as CentralClientError {
            throw error
        } catch {
            throw .broken(CentralClientError.reason(error))
        }
    }
}
