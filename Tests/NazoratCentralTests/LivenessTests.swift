@testable import NazoratCentral
import Testing

/// When a station is up, late, down or done.
@Suite struct LivenessTests {
    private let rules = Liveness(intervalSeconds: 15, graceSeconds: 30, graceOpenSeconds: 10)
    private let now: Int64 = 1_000_000_000_000

    private func state(ago seconds: Int64?, phase: String? = "setup", final: Bool = false, retired: Bool = false) -> StationState {
        rules.state(retired: retired, heartbeatUsec: seconds.map { now - $0 * 1_000_000 }, phase: phase, finalReport: final,
                    now: now)
    }

    @Test func aStationGoesLateThenDownAndSoonerWhileThePollsAreOpen() {
        #expect(state(ago: nil) == .neverSeen)
        #expect(state(ago: 20) == .up, "an interval and the delivery slack")
        #expect(state(ago: 21) == .late && state(ago: 45) == .late && state(ago: 46) == .down)
        #expect(state(ago: 20, phase: "open") == .up && state(ago: 25, phase: "open") == .late)
        #expect(state(ago: 26, phase: "open") == .down, "the grace is shorter while the polls are open")
    }

    @Test func aClosedStationWithItsFinalReportIsDoneAndARetiredOneIsRetired() {
        #expect(state(ago: 3600, phase: "closed", final: true) == .done)
        #expect(state(ago: 3600, phase: "closed") == .down, "closed without its final report is not done")
        #expect(state(ago: 1, retired: true) == .retired && state(ago: nil, retired: true) == .retired)
    }

    @Test func noGraceMeansDownRightAfterTheInterval() {
        let strict = Liveness(intervalSeconds: 1, graceSeconds: 0, graceOpenSeconds: 0)
        #expect(strict.state(retired: false, heartbeatUsec: now - 1_000_000, phase: nil, finalReport: false, now: now) == .up)
        #expect(strict.state(retired: false, heartbeatUsec: now - 1_000_001, phase: nil, finalReport: false, now: now) == .down)
    }
}
