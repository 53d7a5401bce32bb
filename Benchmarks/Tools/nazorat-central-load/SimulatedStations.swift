import Crypto
import Foundation
import NazoratCore

/// The simulated stations: station i's key is derived from i, so that the list written for
/// enrolment and the envelopes signed later agree without keeping the keys anywhere.
struct SimulatedStations: Sendable {
    let count: Int
    static let regions = ["Andijon", "Buxoro", "Farg'ona", "Jizzax", "Namangan", "Navoiy", "Qashqadaryo",
                          "Qoraqalpog'iston", "Samarqand", "Sirdaryo", "Surxondaryo", "Toshkent", "Toshkent shahri", "Xorazm"]

    func id(_ index: Int) -> String { "LOAD-\(index)" }

    func key(_ index: Int) -> Curve25519.Signing.PrivateKey {
        // A valid Ed25519 seed is any 32 bytes.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: SHA256.hash(data: Data("nazorat-load-\(index)".utf8)))
    }

    /// The national list for `nazorat-central enroll --csv`.
    func csv() -> String {
        var out = "station,region,district,name,public_key\n"
        for index in 0..<count {
            let region = Self.regions[index % Self.regions.count]
            out += "\(id(index)),\(region),District \(index / Self.regions.count % 14),Station \(index),"
                + key(index).publicKey.rawRepresentation.base64EncodedString() + "\n"
        }
        return out
    }

    /// Station `index`'s heartbeat number `seq`, signed: an envelope as the uplink sends it,
    /// with the devices, alarms and counters of a sealed station with two scanners.
    func heartbeat(_ index: Int, seq: Int64, key: Curve25519.Signing.PrivateKey) -> Envelope {
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let payload = HeartbeatPayload(
            station: id(index), seq: seq, createdUsec: now, phase: "open", mode: "enforce", uptimeSeconds: Double(seq) * 15,
            bootId: "0f5c2a1e8e3b4d6f9a7c1b2d3e4f5a6b", version: "0.2.0",
            devices: DeviceCounts(present: 9, sealed: 9, missing: 0, blocked: 0),
            alarms: seq % 50 == 0 ? [AlarmSummary(kind: "device.unexpected", severity: "error", port: "1-3", state: "open")] : [],
            counters: [CounterSummary(port: "1-1.1", public: seq, protective: nil),
                       CounterSummary(port: "1-1.2", public: seq / 2, protective: nil)],
            log: LogHead(seq: seq * 3, hash: String(repeating: "ab", count: 32)), realtimeUsec: now, monotonicUsec: seq * 15_000_000)
        return Envelope.sign(type: EnvelopeHeader.payloadType(kind: "heartbeat"), payload: Array(JSONText.encode(payload).utf8),
                             key: key)
    }

    /// `POST /v1/envelopes` with `envelopes` as its body.
    static func request(_ envelopes: [Envelope]) -> [UInt8] {
        let body = Array(JSONText.encode(EnvelopeBatch(envelopes: envelopes)).utf8)
        return Array("POST /v1/envelopes HTTP/1.1\r\nHost: central\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
            + body
    }
}
