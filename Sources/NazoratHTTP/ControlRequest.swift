import NazoratCore

/// One HTTP request on the control socket, fully read.
public struct ControlRequest: Sendable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The path without the query, e.g. `/v1/devices/1-2`.
    public var path: String
    /// Query parameters in order of appearance, percent-decoded.
    public var query: [(name: String, value: String)]
    /// The body bytes (at most `ControlServer.bodyLimit`).
    public var body: [UInt8]
    /// Who sent it (SO_PEERCRED and the user database).
    public var peer: Peer
    /// The header fields, in order (names as sent: compare them case-insensitively).
    public var headers: [(name: String, value: String)] = []

    /// A request for `target` (path and query, as on the request line) from `peer`.
    public init(method: String, target: String, body: [UInt8] = [], peer: Peer) {
        self.peer = peer
        self.method = method
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = parts.first.map { String($0).removingPercentEncodingOrSelf } ?? "/"
        query = parts.count > 1 ? parts[1].split(separator: "&").map { pair in
            let nameValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(nameValue[0]).removingPercentEncodingOrSelf,
                    nameValue.count > 1 ? String(nameValue[1]).removingPercentEncodingOrSelf : "")
        } : []
        self.body = body
    }

    /// The path's segments, e.g. `["v1", "devices", "1-2"]`.
    public var segments: [String] { path.split(separator: "/").map(String.init) }

    /// The first value of header field `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The last value of query parameter `name`.
    public func parameter(_ name: String) -> String? { query.last { $0.name == name }?.value }
}

extension String {
    /// Decodes `%XX` escapes and `+`; a malformed escape leaves the string as it was.
    var removingPercentEncodingOrSelf: String {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return self }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
