import Foundation
import Glibc
import Testing

/// A raw HTTP/1.1 exchange over a Unix socket, as any client (curl --unix-socket) would do it.
struct UnixHTTP {
    /// The connection ended before a complete response head.
    struct Incomplete: Error {
        let bytes: Int
    }

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data

        /// The body as a JSON object.
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "not a JSON object: \(text)")
        }

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// The socket address of the Unix socket at `path`.
    static func address(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        return address
    }

    /// Binds `fd` to the Unix socket path `path`; bind(2)'s result.
    static func bind(_ fd: Int32, to path: String) -> Int32 {
        var address = address(path)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// A connected stream socket; receives time out after `timeout` seconds.
    static func connect(_ path: String, timeout: Int = 30) throws -> Int32 {
        try connect(family: AF_UNIX, to: address(path), timeout: timeout)
    }

    /// A TCP connection to 127.0.0.1:`port` (nazorat-central in plain HTTP on loopback).
    static func connect(port: Int, timeout: Int = 30) throws -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        return try connect(family: AF_INET, to: address, timeout: timeout)
    }

    /// A stream socket of `family` connected to `address` (a sockaddr_un or sockaddr_in).
    private static func connect<Address>(family: Int32, to address: Address, timeout: Int) throws -> Int32 {
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(descriptor >= 0)
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<Address>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return descriptor
    }

    /// Sends `method target` with `body` (and header fields `headers`) to 127.0.0.1:`port`
    /// and reads the whole response.
    static func request(port: Int, _ method: String, _ target: String, body: Data = Data(),
                        headers: [String: String] = [:]) throws -> Response {
        try exchange(try connect(port: port), method, target, body: body, headers: headers)
    }

    /// Sends `method target` with `body` on a new connection and reads the whole response.
    static func request(_ path: String, _ method: String, _ target: String, body: Data = Data()) throws -> Response {
        try exchange(try connect(path), method, target, body: body)
    }

    private static func exchange(_ descriptor: Int32, _ method: String, _ target: String, body: Data,
                                 headers: [String: String] = [:]) throws -> Response {
        defer { close(descriptor) }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(headers["Host"] ?? "nazorat")\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) where name != "Host" { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method != "GET" { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        try send(Data((head + "\r\n").utf8) + body, on: descriptor)
        return try parse(readResponse(descriptor))
    }

    /// The response's bytes: to its Content-Length when it has one (a server may keep the
    /// connection open despite `Connection: close`, as chromedriver does), else to the end.
    static func readResponse(_ descriptor: Int32) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = data.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).lowercased()
                if let line = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                   let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)),
                   data.count - end.upperBound >= length {
                    return data.prefix(end.upperBound + length)
                }
            }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return data }
            guard count > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            data.append(contentsOf: buffer.prefix(count))
        }
    }

    static func send(_ data: Data, on descriptor: Int32) throws {
        var offset = 0
        while offset < data.count {
            let sent = data.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, data.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            offset += sent
        }
    }

    static func readToEnd(_ descriptor: Int32) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return data }
            guard count > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            data.append(contentsOf: buffer.prefix(count))
        }
    }

    static func parse(_ raw: Data) throws -> Response {
        let separator = Data("\r\n\r\n".utf8)
        // Thrown, not #require'd: a test that kills the daemon expects broken answers.
        guard let end = raw.range(of: separator) else { throw Incomplete(bytes: raw.count) }
        let lines = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let words = lines[0].split(separator: " ")
        guard words.count >= 2, let status = Int(words[1]) else { throw Incomplete(bytes: raw.count) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: Data(raw[end.upperBound...]))
    }
}
