import Foundation
import NazoratTestbed
import Testing

/// The uplink's configuration as a technician writes it: central's base address is enough,
/// and an address with no receiver is a clear error at start.
@Suite(.serialized) struct UplinkConfigurationTests {
    // Paper cut (issue 15): a url without the receiver failed every delivery with "no such
    // resource", retried for ever. It is a configuration error, reported at start.
    @Test func aURLWithNoReceiverIsReportedAtStartAndNotRetried() async throws {
        let central = try await CentralProcess()
        let harness = try await ControlHarness(extra: ControlHarness.uplink("http://127.0.0.1:\(central.port)/central"))
        let uplink = try harness.startUplink(enrollingAt: central)
        try await uplink.waitForLine(containing: "[uplink] url: there is no Nazorat receiver at "
                                     + "http://127.0.0.1:\(central.port)/central/v1/envelopes (central answered 404)")
        uplink.process.waitUntilExit()
        #expect(uplink.process.terminationStatus == 78, "EX_CONFIG, which the unit does not restart")
        #expect(try central.acceptedSeq("TEST-0006") == 0)
    }
}
