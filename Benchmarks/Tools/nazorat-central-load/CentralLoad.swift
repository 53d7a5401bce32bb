import Crypto
import Foundation
import LoadSupport
import NazoratCore
import Synchronization

/// Load for nazorat-central from simulated stations (make bench-central):
///
///     nazorat-central-load csv STATIONS > stations.csv
///     nazorat-central-load steady PORT STATIONS RATE SECONDS CONNECTIONS
///     nazorat-central-load backlog PORT STATIONS ENVELOPES CONNECTIONS
///
/// `steady` is open loop: each station sends one heartbeat at a time, at RATE envelopes a
/// second in all, spread over CONNECTIONS keep-alive connections (each owns its stations, so
/// a station's envelopes go in order). Latency is measured from when an envelope was due to
/// when central's 200 arrived, so that a central falling behind shows in it (no coordinated
/// omission). `backlog` is closed loop: STATIONS stations come back from an outage holding
/// ENVELOPES heartbeats each and send them in batches of 100, as the uplink does; it reports
/// how long until central held them all. Each prints one JSON object. Sequences start at 1:
/// each run wants a central of its own (a fresh state directory, the list enrolled).
@main
enum CentralLoad {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // PORT may be several, PORT,PORT: central processes sharing one database, each lane
        // (and so each station) on one of them in turn.
        let ports = arguments.dropFirst().first?.split(separator: ",").compactMap { UInt16($0) } ?? []
        let numbers = arguments.dropFirst(2).compactMap { Int($0) }
        let from: Int64 = 1
        switch (arguments.first, numbers.count) {
        case ("csv", 0) where arguments.count == 2 && Int(arguments[1]) != nil:
            FileHandle.standardOutput.write(Data(SimulatedStations(count: Int(arguments[1]) ?? 0).csv().utf8))
        case ("steady", 4) where !ports.isEmpty:
            try report(steady(ports: ports, stations: SimulatedStations(count: numbers[0]), rate: Double(numbers[1]),
                              seconds: Double(numbers[2]), connections: numbers[3], from: from))
        case ("backlog", 3) where !ports.isEmpty:
            try report(backlog(ports: ports, stations: SimulatedStations(count: numbers[0]), envelopes: numbers[1],
                               connections: numbers[2], from: from))
        default:
            FileHandle.standardError.write(Data("""
                usage: nazorat-central-load csv STATIONS
                       nazorat-central-load steady PORT[,PORT...] STATIONS RATE SECONDS CONNECTIONS
                       nazorat-central-load backlog PORT[,PORT...] STATIONS ENVELOPES CONNECTIONS\n
                """.utf8))
            exit(64)
        }
    }

    static func report(_ fields: [String: Any]) throws {
        print(String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self))
    }

    static func steady(ports: [UInt16], stations: SimulatedStations, rate: Double, seconds: Double, connections: Int,
                       from: Int64) throws -> [String: Any] {
        let total = Int(rate * seconds)
        let latencies = Mutex<[Double]>([]), refusals = Mutex<[Int: Int]>([:]), failures = Mutex<[String]>([])
        let keys = (0..<stations.count).map(stations.key)
        let done = DispatchGroup()
        let began = Monotonic.now() + 0.2
        // A station belongs to one lane, so that its envelopes go in order on one connection.
        let lanes = (0..<connections).map { lane in (0..<total).filter { $0 % stations.count % connections == lane } }
        for lane in 0..<connections {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do {
                    let connection = try Connection(loopbackPort: ports[lane % ports.count])
                    var mine: [Double] = [], refused: [Int: Int] = [:]
                    // Envelope k is due at began + k / rate.
                    for k in lanes[lane] {
                        let due = began + Double(k) / rate
                        let wait = due - Monotonic.now()
                        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                        let station = k % stations.count
                        let seq = from + Int64(k / stations.count)
                        let request = SimulatedStations.request([stations.heartbeat(station, seq: seq, key: keys[station])])
                        let status = try connection.exchange(request)
                        mine.append(Monotonic.now() - due)
                        if status != 200 { refused[status, default: 0] += 1 }
                    }
                    latencies.withLock { $0.append(contentsOf: mine) }
                    refusals.withLock { all in refused.forEach { all[$0.key, default: 0] += $0.value } }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        done.wait()
        let elapsed = Monotonic.now() - began
        let sorted = latencies.withLock { $0.sorted() }
        return ["mode": "steady", "stations": stations.count, "offered_per_s": rate, "envelopes": sorted.count,
                "achieved_per_s": Double(sorted.count) / elapsed, "p50_ms": quantile(sorted, 0.5) * 1000,
                "p99_ms": quantile(sorted, 0.99) * 1000, "max_ms": (sorted.last ?? 0) * 1000,
                "refused": refusals.withLock { $0.map { "\($0.key): \($0.value)" } },
                "failures": failures.withLock { $0 }, "connections": connections]
    }

    static func backlog(ports: [UInt16], stations: SimulatedStations, envelopes: Int, connections: Int,
                        from: Int64) throws -> [String: Any] {
        let refused = Atomic<Int>(0), failures = Mutex<[String]>([])
        let done = DispatchGroup()
        let began = Monotonic.now()
        for lane in 0..<connections {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do {
                    let connection = try Connection(loopbackPort: ports[lane % ports.count])
                    for station in stride(from: lane, to: stations.count, by: connections) {
                        let key = stations.key(station)
                        for start in stride(from: 0, to: envelopes, by: 100) {
                            let batch = (start..<min(envelopes, start + 100)).map {
                                stations.heartbeat(station, seq: from + Int64($0), key: key)
                            }
                            if try connection.exchange(SimulatedStations.request(batch)) != 200 {
                                refused.add(1, ordering: .relaxed)
                            }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        done.wait()
        let elapsed = Monotonic.now() - began
        return ["mode": "backlog", "stations": stations.count, "envelopes_each": envelopes, "seconds": elapsed,
                "envelopes_per_s": Double(stations.count * envelopes) / elapsed, "refused_batches": refused.load(ordering: .relaxed),
                "failures": failures.withLock { $0 }, "connections": connections]
    }
}
