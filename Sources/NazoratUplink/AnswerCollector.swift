import NazoratLinux
import NIOCore
import NIOHTTP1
import NIOSSL

/// The last handler of a connection to central: writes one request and collects its answer
/// whole, bounded in size and time. Every way an exchange ends (the answer, the deadline,
/// an error, central closing) goes through ``finish(_:)``, which completes the promise once.
/// Runs on the channel's event loop only.
final class AnswerCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    struct Request: Sendable {
        var head: HTTPRequestHead
        var body: [UInt8]?
        var limit: Int
        var timeout: TimeAmount
    }

    private struct Pending {
        var promise: EventLoopPromise<CentralClient.Answer>
        var limit: Int
        var deadline: Scheduled<Void>
        var answer: CentralClient.Answer?
    }

    private var context: ChannelHandlerContext?
    private var pending: Pending?
    /// Whether central asked to close the connection after this answer.
    private var closeAfterAnswer = false
    /// Why the connection ended while nothing was asked (a TLS handshake that failed is
    /// only seen when the first request goes out).
    private var ended: CentralClientError?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func send(_ request: Request, answer promise: EventLoopPromise<CentralClient.Answer>) {
        guard let context, pending == nil, ended == nil, context.channel.isActive else {
            promise.fail(ended ?? .closedBeforeAnswer)
            return
        }
        let collector = NIOLoopBound(self, eventLoop: context.eventLoop)
        let deadline = context.eventLoop.scheduleTask(in: request.timeout) {
            collector.value.finish(.failure(.noAnswer(after: request.timeout)))
        }
        pending = Pending(promise: promise, limit: request.limit, deadline: deadline)
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var exchange = pending else {
            // Bytes nobody asked for: not a server to keep talking to.
            ended = .broken("central sent an answer to no request")
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            closeAfterAnswer = !head.isKeepAlive
            exchange.answer = .init(status: Int(head.status.code), body: [])
        case .body(let buffer):
            guard var answer = exchange.answer else { return }
            guard answer.body.count + buffer.readableBytes <= exchange.limit else {
                return finish(.failure(.tooLarge(limit: exchange.limit)))
            }
            answer.body += buffer.readableBytesView
            exchange.answer = answer
        case .end:
            return finish(exchange.answer.map { .success($0) } ?? .failure(.truncated))
        }
        pending = exchange
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended = ended ?? .closedBeforeAnswer
        finish(.failure(pending?.answer == nil ? .closedBeforeAnswer : .truncated))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: CentralClientError = error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
            ? .tls(CentralClientError.reason(error)) : .broken(CentralClientError.reason(error))
        ended = reason
        finish(.failure(reason))
    }

    /// Ends the exchange in progress, if any, with `result`; a connection that cannot carry
    /// another request is closed.
    private func finish(_ result: Result<CentralClient.Answer, CentralClientError>) {
        guard let exchange = pending else { return }
        pending = nil
        exchange.deadline.cancel()
        if case .failure = result { ended = ended ?? .closedBeforeAnswer }
        if ended != nil || closeAfterAnswer { context?.close(promise: nil) }
        exchange.promise.completeWith(result.mapError { $0 as any Error })
    }
}
