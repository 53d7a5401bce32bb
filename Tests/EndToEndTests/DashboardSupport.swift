import Crypto
import Foundation
import NazoratCore
import Testing

/// What the dashboard's tests share: accounts, a seeded registry, and signed heartbeats.
extension CentralProcess {
    /// Creates the dashboard account `name` through the command line (the password on stdin).
    func account(_ name: String, role: String, password: String) throws {
        let result = try runToCompletion(Paths.products + "/nazorat-central", ["account"] + storeArguments + ["--role", role, name],
                                         environment: [:], stdin: Data((password + "\n").utf8))
        try #require(result.status == 0, "\(result.stderr)")
    }

    /// Enrolls `stations` (id, region, district, name, key) from a CSV file.
    func enroll(_ stations: [(String, String, String, String, Curve25519.Signing.PrivateKey)]) throws {
        let csv = "station,region,district,name,public_key\n" + stations.map {
            "\($0.0),\($0.1),\($0.2),\($0.3),\($0.4.publicKey.rawRepresentation.base64EncodedString())"
        }.joined(separator: "\n") + "\n"
        let file = directory + "/stations.csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runToCompletion(Paths.products + "/nazorat-central", ["enroll"] + storeArguments + ["--csv", file],
                                         environment: [:])
        try #require(result.status == 0, "\(result.stderr)")
    }

    func retire(_ station: String) throws {
        let result = try runToCompletion(Paths.products + "/nazorat-central", ["retire"] + storeArguments + [station],
                                         environment: [:])
        try #require(result.status == 0, "\(result.stderr)")
    }
}

/// A signed heartbeat of `station` (as a JSON object for ``CentralProcess/post(_:)``).
func heartbeat(_ station: String, seq: Int64, key: Curve25519.Signing.PrivateKey, phase: String = "setup",
               ballots: [Int64] = [], alarms: [AlarmSummary] = []) throws -> Any {
    let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
    let payload = HeartbeatPayload(
        station: station, seq: seq, createdUsec: now, phase: phase, mode: "enforce", uptimeSeconds: Double(seq),
        bootId: "dashboard-test", version: "test", devices: DeviceCounts(present: 3, sealed: 3, missing: 0, blocked: 0),
        alarms: alarms, counters: ballots.enumerated().map { CounterSummary(port: "1-1.\($0.offset + 1)", public: $0.element, protective: nil) },
        log: nil, realtimeUsec: now, monotonicUsec: seq * 1_000_000)
    let envelope = Envelope.sign(type: EnvelopeHeader.payloadType(kind: "heartbeat"), payload: Array(JSONText.encode(payload).utf8),
                                 key: key)
    return try JSONSerialization.jsonObject(with: JSONEncoder().encode(envelope))
}
