/// Central's address taken apart, the way the uplink connects to it: `https://HOST[:PORT][/PATH]`
/// or `http://` (to this machine only, ``UplinkSettings``). HOST is a name, an IPv4 address or
/// an IPv6 address in brackets; there is no user information, query or fragment (a receiver
/// has no use for them, and a URL that carries them is more likely a mistake than intended).
public struct CentralAddress: Sendable, Equatable {
    /// TLS (https) or not (http).
    public var usesTLS: Bool
    /// The host as the resolver takes it: a name or an address, without IPv6 brackets.
    public var host: String
    /// The TCP port: the URL's, or the scheme's (443, 80).
    public var port: Int
    /// The request target: the URL's path, `/` when it has none.
    public var path: String
    /// The `Host` header: the host as written in the URL, with the port when it is not the scheme's.
    public var hostHeader: String

    /// Whether ``host`` is an IP address (TLS sends no server name for one, and the certificate
    /// must name the address instead).
    public var hostIsAddress: Bool { host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." } }

    /// `url` taken apart, or nil when it is not of the form above.
    public init?(url: String) {
        let rest: Substring
        if url.hasPrefix("https://") {
            (usesTLS, rest) = (true, url.dropFirst("https://".count))
        } else if url.hasPrefix("http://") {
            (usesTLS, rest) = (false, url.dropFirst("http://".count))
        } else {
            return nil
        }
        let pathStart = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<pathStart]
        path = rest[pathStart...].isEmpty ? "/" : String(rest[pathStart...])
        guard path.utf8.allSatisfy(Self.isPathByte) else { return nil }
        let portText: Substring?
        let writtenHost: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            guard !host.isEmpty, host.utf8.allSatisfy({ Self.isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return nil }
            writtenHost = authority[...close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { return nil }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else {
            let colon = authority.firstIndex(of: ":")
            writtenHost = authority[..<(colon ?? authority.endIndex)]
            host = String(writtenHost)
            guard !host.isEmpty, host.utf8.allSatisfy(Self.isNameByte) else { return nil }
            portText = colon.map { authority[authority.index(after: $0)...] }
        }
        let defaultPort = usesTLS ? 443 : 80
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
                  (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            port = defaultPort
        }
        hostHeader = writtenHost + (port == defaultPort ? "" : ":\(port)")
    }

    /// Letters, digits, `-` and `.`: a DNS name or an IPv4 address.
    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."): true
        default: false
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }

    /// Printable ASCII except what would end the path or make it something else (query,
    /// fragment, a space).
    private static func isPathByte(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "?") && byte != UInt8(ascii: "#")
    }
}
