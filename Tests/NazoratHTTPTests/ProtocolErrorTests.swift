@testable import NazoratHTTP
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The control server's HTTP pipeline on bytes that are not HTTP, without a socket.
@Suite struct ProtocolErrorTests {
    /// Everything the pipeline wrote, once the connection has closed.
    private func answers(to bytes: String) throws -> String {
        let channel = EmbeddedChannel()
        try ControlServer.configureHTTP(channel.pipeline.syncOperations, requestTimeout: .seconds(5))
        try? channel.writeInbound(ByteBuffer(string: bytes))
        _ = try? channel.finish(acceptAlreadyClosed: true)
        var written = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { written.writeBuffer(&chunk) }
        return String(buffer: written)
    }

    /// Regression (fuzz-control-request): the decoder reports its leftover bytes a second time
    /// when the connection closes, and the handler answered each report.
    @Test func aBadRequestGetsOneAnswerEvenWhenTheDecoderComplainsTwice() throws {
        let text = try answers(to: "POST /v1/TTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"thr\r\n0\r\n\r\n")
        #expect(text.components(separatedBy: "HTTP/1.1 400 Bad Request\r\n").count - 1 == 1, "\(text.debugDescription)")
        #expect(text.hasSuffix(#"{"error":{"code":"bad-request","message":"the request is not valid HTTP/1.1"}}"# + "\n"))
    }

    @Test func aValidRequestPassesThroughUnanswered() throws {
        #expect(try answers(to: "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n").isEmpty)
    }
}
