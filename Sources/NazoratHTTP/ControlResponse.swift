import Foundation
import NazoratCore

/// The answer to a control request: a status and a JSON body.
public struct ControlResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The body bytes.
    public var body: [UInt8]
    /// The body's media type.
    public var contentType: String
    /// Header fields besides Content-Type and the framing ones, e.g. `Allow` on a 405.
    public var headers: [(name: String, value: String)] = []
    /// A body sent in chunks as it is produced (an event stream), instead of `body`; the
    /// response ends when the stream finishes or the client goes away.
    public var stream: AsyncStream<[UInt8]>?

    /// A response with `body` of `contentType`.
    public init(status: Int, body: [UInt8], contentType: String = "application/json") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    /// A 200 response whose body is `stream`, chunk by chunk.
    public static func streaming(_ stream: AsyncStream<[UInt8]>, contentType: String) -> ControlResponse {
        var response = ControlResponse(status: 200, body: [], contentType: contentType)
        response.stream = stream
        return response
    }

    /// A plain-text body (Prometheus exposition).
    public static func text(_ bytes: [UInt8], contentType: String) -> ControlResponse {
        ControlResponse(status: 200, body: bytes, contentType: contentType)
    }

    /// `value` as JSON (keys sorted, so that equal states give equal bytes).
    public static func json<Value: Encodable>(_ value: Value, status: Int = 200) -> ControlResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return ControlResponse(status: status, body: Array(try encoder.encode(value)) + [0x0A])
        } catch {
            return .error(500, code: "encoding-failed", message: "the response could not be encoded: \(error)")
        }
    }

    /// The error body every failure has: `{"error": {"code": ..., "message": ...}}`.
    public static func error(_ status: Int, code: String, message: String) -> ControlResponse {
        json(ErrorDocument(error: .init(code: code, message: message)), status: status)
    }
}

