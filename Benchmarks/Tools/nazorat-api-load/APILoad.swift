import Foundation
import Synchronization

/// A closed-loop load generator for the control socket: `concurrency` keep-alive
/// connections, each sending `requests` GETs of one path back to back and timing each from
/// the first byte written to the last byte of the body read. Prints one JSON object.
///
/// A client of its own (blocking POSIX sockets, one thread per connection) because wrk and
/// ab speak TCP only, and an interpreted client would add its own latency to every sample.
///
///     nazorat-api-load SOCKET PATH CONCURRENCY REQUESTS [WARMUP]
@main
enum APILoad {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 5, let concurrency = Int(arguments[3]), let requests = Int(arguments[4]),
              concurrency > 0, requests > 0 else {
            FileHandle.standardError.write(Data("usage: nazorat-api-load SOCKET PATH CONCURRENCY REQUESTS [WARMUP]\n".utf8))
            exit(64)
        }
        let socketPath = arguments[1], path = arguments[2]
        let warmup = arguments.count > 5 ? Int(arguments[5]) ?? 0 : 20
        let samples = Mutex<[Double]>([])
        let failures = Mutex<[String]>([])
        let start = DispatchSemaphore(value: 0)
        let ready = DispatchGroup()
        let done = DispatchGroup()
        for _ in 0..<concurrency {
            ready.enter()
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                let request = Array("GET \(path) HTTP/1.1\r\nHost: nazoratd\r\n\r\n".utf8)
                let connection: Connection
                do {
                    connection = try Connection(socketPath: socketPath)
                    for _ in 0..<warmup { _ = try connection.exchange(request) }
                    ready.leave()
                } catch {
                    failures.withLock { $0.append(String(describing: error)) }
                    ready.leave()
                    return
                }
                start.wait()
                do {
                    var mine: [Double] = []
                    mine.reserveCapacity(requests)
                    for _ in 0..<requests {
                        let began = Monotonic.now()
                        let status = try connection.exchange(request)
                        guard status == 200 else { throw LoadError.status(status) }
                        mine.append(Monotonic.now() - began)
                    }
                    samples.withLock { $0.append(contentsOf: mine) }
                } catch {
                    failures.withLock { $0.append(String(describing: error)) }
                }
            }
        }
        // Every connection is open and warm before the clock starts.
        ready.wait()
        let began = Monotonic.now()
        for _ in 0..<concurrency { start.signal() }
        done.wait()
        let elapsed = Monotonic.now() - began
        if let failure = failures.withLock({ $0.first }) {
            FileHandle.standardError.write(Data("nazorat-api-load: \(failure)\n".utf8))
            exit(1)
        }
        let sorted = samples.withLock { $0.sorted() }
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1e6 }
        let report: [String: Any] = [
            "path": path, "concurrency": concurrency, "requests": sorted.count,
            "p50_us": percentile(0.50), "p90_us": percentile(0.90), "p99_us": percentile(0.99),
            "max_us": sorted.last! * 1e6, "requests_per_s": Double(sorted.count) / elapsed,
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}

enum LoadError: Error {
    case connect(errno: Int32)
    case closed
    case status(Int)
    case malformed(String)
}

/// CLOCK_MONOTONIC in seconds.
enum Monotonic {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// One blocking keep-alive HTTP/1.1 connection over a Unix socket.
final class Connection {
    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(socketPath: String) throws {
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
    func exchange(_ request: [UInt8]) throws -> Int {
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
