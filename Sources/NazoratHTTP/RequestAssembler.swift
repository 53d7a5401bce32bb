import NazoratCore
import NIOCore
import NIOHTTP1

/// Collects one request's parts (head, body, end) into a `ControlRequest`, refusing
/// bodies over the limit before they are buffered.
struct RequestAssembler {
    enum Outcome {
        /// More parts are needed.
        case incomplete
        /// The request is complete; `keepAlive` tells whether the connection stays open.
        case complete(ControlRequest, keepAlive: Bool)
        /// The request is refused with `response`, and the connection closes.
        case rejected(ControlResponse)
    }

    let bodyLimit: Int
    let peer: Peer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(bodyLimit: Int, peer: Peer) {
        self.bodyLimit = bodyLimit
        self.peer = peer
    }

    mutating func consume(_ part: HTTPServerRequestPart) -> Outcome {
        switch part {
        case .head(let head):
            self.head = head
            body = []
            if let declared = head.headers.first(name: "Content-Length").flatMap(Int.init), declared > bodyLimit {
                return .rejected(tooLarge)
            }
            return .incomplete
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= bodyLimit else { return .rejected(tooLarge) }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
            return .incomplete
        case .end:
            guard let head else { return .incomplete }
            self.head = nil
            var request = ControlRequest(method: head.method.rawValue, target: head.uri, body: body, peer: peer)
            request.headers = head.headers.map { ($0.name, $0.value) }
            return .complete(request, keepAlive: head.isKeepAlive)
        }
    }

    private var tooLarge: ControlResponse {
        .error(413, code: "too-large", message: "the request body exceeds \(bodyLimit) bytes")
    }
}
