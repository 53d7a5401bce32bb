import Crypto
import Foundation
import NazoratCore
import Testing

/// The outbox as nazorat-uplink sees it: signed heartbeats and event batches, gap-free
/// seqs, long polling, acknowledgement.
@Suite(.serialized) struct OutboxTests {
    private static let uplink = """
        [uplink]
        url = "http://127.0.0.1:9/v1/envelopes"
        heartbeat-interval = 1
        """

    private func envelopes(_ harness: ControlHarness, after: Int = 0, wait: Int = 0) throws -> [[String: Any]] {
        try harness.request("GET", "/v1/outbox?after=\(after)&wait=\(wait)&limit=1000").json()["envelopes"] as? [[String: Any]] ?? []
    }

    private func payload(_ item: [String: Any], key: Curve25519.Signing.PublicKey) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: try #require(item["envelope"]))
        let envelope = try JSONDecoder().decode(Envelope.self, from: data)
        let bytes = try #require(envelope.verifiedPayload(key: key), "the station key signed it")
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func heartbeatsAndEventsAreSignedGapFreeAndLeaveOnlyWhenAcknowledged() async throws {
        let harness = try await ControlHarness(extra: Self.uplink)
        let keyText = try #require(try harness.request("GET", "/v1/key").json()["publicKey"] as? String)
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: try #require(Data(base64Encoded: keyText)))

        // The long poll returns with the first heartbeat (1 s after start).
        let first = try envelopes(harness, wait: 10)
        #expect(!first.isEmpty)
        try harness.testbed.add(try Paths.fixture("usb-stick"))
        try await harness.daemon.waitForLine(containing: "device added: 1-3")
        try await Task.sleep(for: .milliseconds(2500))
        let all = try envelopes(harness)
        let seqs = all.compactMap { $0["seq"] as? Int }
        #expect(seqs == Array(1...seqs.count), "gap-free from 1: \(seqs)")
        var events: [[String: Any]] = []
        var heartbeat: [String: Any]?
        for item in all {
            let body = try payload(item, key: key)
            #expect(body["station"] as? String == "TEST-0006")
            #expect(body["seq"] as? Int == item["seq"] as? Int, "the signed seq is the outbox seq")
            #expect(body["kind"] as? String == item["kind"] as? String)
            if body["kind"] as? String == "events" { events += body["events"] as? [[String: Any]] ?? [] }
            if body["kind"] as? String == "heartbeat" { heartbeat = body }
        }
        // Every event went out, in order, chained.
        let eventSeqs = events.compactMap { $0["seq"] as? Int }
        #expect(eventSeqs == Array(1...eventSeqs.count))
        #expect(events.contains { $0["type"] as? String == "device.added" && $0["subject"] as? String == "1-3" })
        for (previous, next) in zip(events, events.dropFirst()) {
            #expect(next["prevHash"] as? String == previous["hash"] as? String)
        }
        let latest = try #require(heartbeat)
        #expect((latest["devices"] as? [String: Any])?["present"] as? Int == 9)
        #expect(latest["bootId"] as? String != nil && latest["monotonicUsec"] as? Int != nil)
        #expect(latest["phase"] as? String == "setup")

        // Acknowledged envelopes leave; the rest stay.
        let through = seqs[seqs.count / 2]
        let ack = try harness.request("POST", "/v1/outbox/ack", json: #"{"through": \#(through)}"#)
        #expect(ack.status == 200)
        let left = try envelopes(harness).compactMap { $0["seq"] as? Int }
        #expect(left.first == through + 1)
        let status = try harness.request("GET", "/v1/status").json()
        let uplink = try #require(status["uplink"] as? [String: Any])
        #expect(uplink["state"] as? String == "pending")
        #expect((uplink["outbox"] as? [String: Any])?["acknowledgedThrough"] as? Int == through)
        // Well-formed but beyond the outbox: a conflict, not a bad request (found by schemathesis).
        let beyond = try harness.request("POST", "/v1/outbox/ack", json: #"{"through": 999999}"#)
        #expect(beyond.status == 409 && beyond.text.contains(#""code":"beyond-last-envelope""#), "\(beyond.text)")
        #expect(try harness.request("POST", "/v1/outbox/ack", json: #"{"through": -1}"#).status == 400)
        try harness.checkAgainstOpenAPI()
    }

    @Test func withoutAnUplinkTableThereIsNoOutbox() async throws {
        let harness = try await ControlHarness()
        #expect(try harness.request("GET", "/v1/outbox").status == 409)
        let status = try harness.request("GET", "/v1/status").json()
        #expect((status["uplink"] as? [String: Any])?["state"] as? String == "not-configured")
        try harness.checkAgainstOpenAPI()
    }
}
