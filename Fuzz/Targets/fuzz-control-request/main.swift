import FoundationEssentials
import NazoratAPI
import NazoratCore
@testable import NazoratHTTP
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// One input: the bytes a client sends on the control socket, through the server's own
/// HTTP pipeline (NIO's codec, the JSON answer to bytes that are not HTTP, the request
/// deadline) and its request assembly, with a small body limit so the fuzzer reaches it.
/// A request is either assembled with a body within the limit, or refused with 413; bytes
/// that are not HTTP get a 400 with a JSON error body; no input crashes or hangs. Each
/// complete request's body is decoded as every request document the daemon takes, and what
/// decodes must encode and decode back to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControlRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bodyLimit = 512
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
    do {
        try ControlServer.configureHTTP(channel.pipeline.syncOperations, requestTimeout: .seconds(5))
    } catch {
        preconditionFailure("the pipeline cannot be configured: \(error)")
    }
    var assembler = RequestAssembler(bodyLimit: bodyLimit, peer: .remote("fuzz"))
    // Errors (bad HTTP) are answered by the pipeline itself and checked below.
    try? channel.writeInbound(ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size)))
    while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
        switch assembler.consume(part) {
        case .incomplete:
            continue
        case .rejected(let response):
            precondition(response.status == 413, "a refusal other than 413: \(response.status)")
        case .complete(let request, _):
            precondition(request.body.count <= bodyLimit, "a body over the limit was assembled")
            decodeAsEveryDocument(request.body)
        }
    }
    checkAnswers(channel)
    return 0
}

/// What the pipeline wrote by itself: only the 400 JSON error for bytes that are not HTTP.
private func checkAnswers(_ channel: EmbeddedChannel) {
    var written = ByteBuffer()
    while var chunk = try? channel.readOutbound(as: ByteBuffer.self) { written.writeBuffer(&chunk) }
    guard written.readableBytes > 0 else { return }
    let text = String(buffer: written)
    precondition(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "an unexpected answer: \(text.prefix(40))")
    let body = text.split(separator: "\r\n\r\n", maxSplits: 1).last.map { Data($0.utf8) } ?? Data()
    precondition((try? JSONDecoder().decode(ErrorDocument.self, from: body)) != nil, "an error answer that is not JSON: \(text.debugDescription)")
}

private func decodeAsEveryDocument(_ body: [UInt8]) {
    roundTrip(AcknowledgeRequest.self, body)
    roundTrip(DecisionRequest.self, body)
    roundTrip(CounterReport.self, body)
    roundTrip(ResultsSubmission.self, body)
    roundTrip(OutboxAcknowledgement.self, body)
}

private func roundTrip<Document: Codable & Equatable>(_ type: Document.Type, _ body: [UInt8]) {
    guard let document = try? JSONDecoder().decode(type, from: Data(body)) else { return }
    let again = try? JSONDecoder().decode(type, from: JSONEncoder().encode(document))
    precondition(again == document, "\(type) does not survive encoding")
}
