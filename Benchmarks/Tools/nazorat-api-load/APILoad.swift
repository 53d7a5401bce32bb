import Foundation
import LoadSupport
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
        func percentile(_ p: Double) -> Double { quantile(sorted, p) * 1e6 }
        let report: [String: Any] = [
            "path": path, "concurrency": concurrency, "requests": sorted.count,
            "p50_us": percentile(0.50), "p90_us": percentile(0.90), "p99_us": percentile(0.99),
            "max_us": sorted.last! * 1e6, "requests_per_s": Double(sorted.count) / elapsed,
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
