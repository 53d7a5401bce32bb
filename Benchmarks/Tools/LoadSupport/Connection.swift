import Foundation

public enum LoadError: Error {
    case connect(errno: Int32)
    case closed
    case status(Int)
    case malformed(String)
}

/// CLOCK_MONOTONIC in seconds.
public enum Monotonic {
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// One blocking keep-alive HTTP/1.1 connection, over a Unix socket or to a TCP port on
/// loopback (the load tools' own client: an interpreted one would add its own latency).
public final class Connection {
    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    /// A connection to 127.0.0.1:`port`.
    public init(loopbackPort port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw LoadError.connect(errno: errno) }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    public init(socketPath: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw LoadError.connect(errno: errno) }
    }

    deinit { close(descriptor) }

    /// Sends `request` and reads the whole response (Content-Length framed); its status.
    public func exchange(_ request: [UInt8]) throws -> Int {
        let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { throw LoadError.closed }
        var filled = 0
        var headEnd: Int?
        var total: Int?
        while total == nil || filled < total! {
            if filled == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + filled, $0.count - filled, 0) }
            guard count > 0 else { throw LoadError.closed }
            filled += count
            if headEnd == nil, let end = Self.headEnd(buffer[..<filled]) {
                headEnd = end
                let head = String(decoding: buffer[..<end], as: UTF8.self).lowercased()
                guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                      let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
                else { throw LoadError.malformed(head) }
                total = end + length
            }
        }
        guard filled == total, let head = headEnd else { throw LoadError.malformed("pipelined bytes") }
        let statusLine = String(decoding: buffer[..<min(head, 12)], as: UTF8.self)
        return Int(statusLine.dropFirst(9).prefix(3)) ?? 0
    }

    /// The index just past the blank line ending the head, if it arrived.
    private static func headEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in bytes.startIndex..<(bytes.endIndex - 3)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }
}

/// The `p` quantile of `sorted` (ascending), in the samples' unit.
public func quantile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
