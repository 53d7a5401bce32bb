import FoundationEssentials
@testable import NazoratCentral
import NazoratCore
import Testing

/// The overviews read a heartbeat's few fields without decoding it whole: what they read
/// must be what the whole heartbeat says.
@Suite struct StationGlanceTests {
    private let heartbeat = HeartbeatPayload(
        station: "ST-1", seq: 9, createdUsec: 5, phase: "open", mode: "enforce", uptimeSeconds: 1, bootId: "b",
        version: "0.2.0", devices: DeviceCounts(present: 2, sealed: 2, missing: 0, blocked: 1),
        alarms: [AlarmSummary(kind: "device.unexpected", severity: "error", port: "1-3", state: "open"),
                 AlarmSummary(kind: "device.missing", severity: "critical", port: "1-1.2", state: "open")],
        counters: [CounterSummary(port: "1-1.1", public: 40, protective: 1040), CounterSummary(port: "1-1.2", public: nil, protective: 7),
                   CounterSummary(port: "1-1.3", public: 2, protective: nil)],
        log: nil, realtimeUsec: 1_000_000_250_000, monotonicUsec: 3)

    @Test func theGlanceReadsWhatTheWholeHeartbeatSays() throws {
        let decoded = try JSONDecoder().decode(HeartbeatGlance.self, from: Data(JSONText.encode(heartbeat).utf8))
        let whole = HeartbeatGlance(heartbeat)
        #expect(decoded.phase == "open" && decoded.realtimeUsec == 1_000_000_250_000)
        #expect(decoded.openAlarms == 2 && decoded.publicCounts == [40, 2], "a counter without a public count adds nothing")
        #expect((decoded.phase, decoded.realtimeUsec, decoded.openAlarms, decoded.publicCounts)
                == (whole.phase, whole.realtimeUsec, whole.openAlarms, whole.publicCounts))
    }

    @Test func aHeartbeatWithoutItsPhaseIsNoGlance() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(HeartbeatGlance.self, from: Data(#"{"realtimeUsec":1,"alarms":[],"counters":[]}"#.utf8))
        }
    }
}
