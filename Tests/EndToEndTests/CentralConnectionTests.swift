import Foundation
import NazoratTestbed
import Testing

/// nazorat-uplink's one connection to central: kept between rounds (11,000 stations opening
/// a connection, and a TLS session, every 15 s would cost central more than the envelopes),
/// and opened again, without a failed round, when central has closed it.
@Suite(.serialized) struct CentralConnectionTests {
    /// An uplink delivering to `Tests/Support/fake-central.py` in `mode`, until central has
    /// seen `requests` POSTs; returns what central printed and the uplink's lines.
    private func deliver(to mode: String, requests: Int) async throws -> (central: [String], uplink: [String]) {
        let central = try await FakeCentral(mode)
        let fake = central.process
        defer { _ = fake.stop(SIGKILL) }
        let (station, uplink) = try await central.deliveringStation()
        defer { _ = uplink.stop(SIGKILL); withExtendedLifetime(station) {} }
        try await fake.lines.wait(for: "\(requests) rounds", timeout: .seconds(60)) { $0.count { $0 == "request" } >= requests }
        try await uplink.lines.wait(for: "the rounds' outcomes", timeout: .seconds(30)) {
            $0.count { $0.contains("retrying") } >= requests
        }
        return (await fake.lines.elements, await uplink.lines.elements)
    }

    @Test func roundsAfterTheFirstGoOverTheConnectionAlreadyOpen() async throws {
        let (central, uplink) = try await deliver(to: "keep-alive", requests: 3)
        #expect(central.filter { $0 == "connection" }.count == 1, "the check and every round on one connection: \(central)")
        #expect(uplink.contains { $0.contains("central's receiver answers") })
    }

    @Test func aConnectionCentralClosedIsOpenedAgainWithoutFailingTheRound() async throws {
        let (central, uplink) = try await deliver(to: "close-after", requests: 3)
        #expect(central.filter { $0 == "connection" }.count >= 4, "central closed each connection: \(central)")
        let failures = uplink.filter { $0.contains("retrying") }
        // Every round reached central and was refused by it; none failed on the closed connection.
        #expect(failures.allSatisfy { $0.contains("central is broken") }, "\(failures)")
    }
}
